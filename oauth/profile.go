package oauth

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// Profile is the person as the provider describes them.
type Profile struct {
	// ProviderUserID is the provider's stable subject: the id_token's sub,
	// or the user API's id.
	ProviderUserID string
	// Email is normalised by latchkey.NormalizeEmail (the value to show);
	// empty when the provider shared none, or none that is a valid address.
	Email string
	// EmailVerified is true only when the provider asserts it verified Email.
	EmailVerified bool
	FirstName     string
	LastName      string
	Name          string
	Username      string
	AvatarURL     string
}

// profileSource is what a provider gave about the person: the verified
// id_token claims (OIDC only) and the userinfo document (when fetched).
type profileSource struct {
	claims      map[string]any
	userinfo    any
	userinfoURL string // where userinfo came from
	token       string // access token, for providers that need another call
}

// profileFunc maps a provider's answers onto a Profile.
type profileFunc func(ctx context.Context, p *Provider, src profileSource) (Profile, error)

// oidcProfile reads the standard OpenID Connect claims, from the id_token
// first and from userinfo for whatever the id_token lacks.
func oidcProfile(_ context.Context, _ *Provider, src profileSource) (Profile, error) {
	get := func(name string) string {
		if s := asString(src.claims[name]); s != "" {
			return s
		}
		return lookupString(src.userinfo, name)
	}
	verified := func() bool {
		if v, ok := src.claims["email_verified"]; ok && asString(src.claims["email"]) != "" {
			return asBool(v)
		}
		return lookupBool(src.userinfo, "email_verified")
	}
	return Profile{
		ProviderUserID: get("sub"),
		Email:          get("email"),
		EmailVerified:  verified(),
		FirstName:      get("given_name"),
		LastName:       get("family_name"),
		Name:           get("name"),
		Username:       firstNonEmpty(get("preferred_username"), get("nickname")),
		AvatarURL:      get("picture"),
	}, nil
}

// microsoftProfile reads Entra ID claims. Microsoft's email claim is not
// verified by Microsoft in general (an organisation's admin can set any
// address), so it counts as verified only when the xms_edov optional claim
// says the email domain's owner verified it.
func microsoftProfile(ctx context.Context, p *Provider, src profileSource) (Profile, error) {
	prof, err := oidcProfile(ctx, p, src)
	if err != nil {
		return prof, err
	}
	prof.EmailVerified = prof.Email != "" && asBool(src.claims["xms_edov"])
	return prof, nil
}

// mappedProfile reads a custom OAuth 2.0 provider's userinfo through its
// field mapping.
func mappedProfile(m latchkey.OAuthFieldMapping) profileFunc {
	return func(_ context.Context, _ *Provider, src profileSource) (Profile, error) {
		u := src.userinfo
		return Profile{
			ProviderUserID: lookupString(u, m.ID),
			Email:          lookupString(u, m.Email),
			EmailVerified:  m.EmailVerified != "" && lookupBool(u, m.EmailVerified),
			FirstName:      lookupString(u, m.FirstName),
			LastName:       lookupString(u, m.LastName),
			Name:           lookupString(u, m.Name),
			Username:       lookupString(u, m.Username),
			AvatarURL:      lookupString(u, m.AvatarURL),
		}, nil
	}
}

// discordProfile reads Discord's /users/@me. "verified" is Discord's flag
// for the account's email address.
func discordProfile(_ context.Context, _ *Provider, src profileSource) (Profile, error) {
	u := src.userinfo
	id := lookupString(u, "id")
	prof := Profile{
		ProviderUserID: id,
		Email:          lookupString(u, "email"),
		EmailVerified:  lookupBool(u, "verified"),
		Name:           firstNonEmpty(lookupString(u, "global_name"), lookupString(u, "username")),
		Username:       lookupString(u, "username"),
	}
	if avatar := lookupString(u, "avatar"); avatar != "" && id != "" && safePathSegment(id) && safePathSegment(avatar) {
		prof.AvatarURL = "https://cdn.discordapp.com/avatars/" + id + "/" + avatar + ".png"
	}
	return prof, nil
}

// facebookProfile reads the Graph API's /me. Facebook only returns email
// addresses it has confirmed.
func facebookProfile(_ context.Context, _ *Provider, src profileSource) (Profile, error) {
	u := src.userinfo
	email := lookupString(u, "email")
	return Profile{
		ProviderUserID: lookupString(u, "id"),
		Email:          email,
		EmailVerified:  email != "",
		FirstName:      lookupString(u, "first_name"),
		LastName:       lookupString(u, "last_name"),
		Name:           lookupString(u, "name"),
		AvatarURL:      lookupString(u, "picture.data.url"),
	}, nil
}

// xProfile reads X's /2/users/me. X shares no email address without the
// confirmed-email scope, so the email is treated as missing.
func xProfile(_ context.Context, _ *Provider, src profileSource) (Profile, error) {
	u := src.userinfo
	return Profile{
		ProviderUserID: lookupString(u, "data.id"),
		Name:           lookupString(u, "data.name"),
		Username:       lookupString(u, "data.username"),
		AvatarURL:      lookupString(u, "data.profile_image_url"),
	}, nil
}

// splitName derives first and last names from a full name when a provider
// gives only the latter.
func splitName(prof *Profile) {
	if prof.FirstName != "" || prof.LastName != "" || prof.Name == "" {
		return
	}
	first, last, _ := strings.Cut(strings.TrimSpace(prof.Name), " ")
	prof.FirstName, prof.LastName = first, strings.TrimSpace(last)
}

// finishProfile normalises a profile: an email that is not a valid address
// is dropped (with its verified flag), and names are trimmed.
func finishProfile(prof Profile) Profile {
	prof.Email = strings.TrimSpace(prof.Email)
	if prof.Email != "" {
		value, _, err := latchkey.NormalizeEmail(prof.Email)
		if err != nil {
			prof.Email = ""
		} else {
			prof.Email = value
		}
	}
	if prof.Email == "" {
		prof.EmailVerified = false
	}
	for _, s := range []*string{&prof.FirstName, &prof.LastName, &prof.Name, &prof.Username, &prof.AvatarURL} {
		*s = strings.TrimSpace(*s)
	}
	splitName(&prof)
	return prof
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// safePathSegment reports whether s can be put in a URL path as it is.
func safePathSegment(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}
