package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// githubProfile reads GitHub's /user and, because that only shows the public
// email (null when private) and never says whether it is verified,
// /user/emails: the primary address when it is verified, else none. Without
// the user:email scope /user/emails is refused; the public email is then
// kept, unverified.
func githubProfile(ctx context.Context, p *Provider, src profileSource) (Profile, error) {
	u := src.userinfo
	prof := Profile{
		ProviderUserID: lookupString(u, "id"),
		Name:           lookupString(u, "name"),
		Username:       lookupString(u, "login"),
		AvatarURL:      lookupString(u, "avatar_url"),
	}
	emails, err := p.getJSON(ctx, strings.TrimRight(src.userinfoURL, "/")+"/emails", src.token)
	var se statusError
	if errors.As(err, &se) && (se.status == http.StatusForbidden || se.status == http.StatusNotFound) {
		prof.Email = lookupString(u, "email")
		return prof, nil
	}
	if err != nil {
		return prof, err
	}
	list, _ := emails.([]any)
	for _, e := range list {
		if lookupBool(e, "primary") && lookupBool(e, "verified") {
			prof.Email = lookupString(e, "email")
			prof.EmailVerified = prof.Email != ""
			break
		}
	}
	return prof, nil
}
