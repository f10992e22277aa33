package instance

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/oauth"
)

// OAuthProviderNames are the display names of the provider types, shown on
// the sign-in buttons unless a provider is given a name.
var OAuthProviderNames = map[string]string{
	latchkey.OAuthGoogle:    "Google",
	latchkey.OAuthGitHub:    "GitHub",
	latchkey.OAuthMicrosoft: "Microsoft",
	latchkey.OAuthApple:     "Apple",
	latchkey.OAuthGitLab:    "GitLab",
	latchkey.OAuthDiscord:   "Discord",
	latchkey.OAuthLinkedIn:  "LinkedIn",
	latchkey.OAuthSlack:     "Slack",
	latchkey.OAuthFacebook:  "Facebook",
	latchkey.OAuthX:         "X",
	latchkey.OAuthOIDC:      "OpenID Connect",
	latchkey.OAuthOAuth2:    "OAuth 2.0",
	latchkey.OAuthTestIdP:   "Latchkey Test IdP",
}

var (
	// customOAuthID is the ID of a custom OIDC or OAuth 2.0 provider.
	customOAuthID = regexp.MustCompile(`^custom_[a-z0-9][a-z0-9_-]{0,39}$`)
	// microsoftTenant is common, organizations, consumers, a GUID or a domain.
	microsoftTenant = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$`)
	// mappingPath is a dotted path into the userinfo JSON.
	mappingPath = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)
	// appleID is an Apple team or key ID.
	appleID = regexp.MustCompile(`^[A-Z0-9]{1,20}$`)
)

// NewOAuthProvider returns a provider of type typ with the defaults a new
// one gets: its ID is the type for a built-in provider (custom ones need
// their own), the catalog's name, enabled, and trusting verified emails for
// the providers that verify them (Google, Microsoft, Apple).
func NewOAuthProvider(typ string) *latchkey.OAuthProvider {
	p := &latchkey.OAuthProvider{Type: typ, Name: OAuthProviderNames[typ], Enabled: true, Scopes: []string{}}
	if typ != latchkey.OAuthOIDC && typ != latchkey.OAuthOAuth2 {
		p.ID = typ
	}
	switch typ {
	case latchkey.OAuthGoogle, latchkey.OAuthMicrosoft, latchkey.OAuthApple:
		p.TrustVerifiedEmail = true
	}
	return p
}

// ValidateOAuthProvider checks a provider before it is stored, returning a
// *latchkey.Error naming the first bad field. In dev mode, endpoints may
// use http on loopback addresses and the built-in test provider is allowed.
// Empty scopes mean the type's default scopes.
func ValidateOAuthProvider(p *latchkey.OAuthProvider, dev bool) error {
	custom := p.Type == latchkey.OAuthOIDC || p.Type == latchkey.OAuthOAuth2
	switch {
	case OAuthProviderNames[p.Type] == "":
		return latchkey.Errorf(latchkey.CodeFormParamValue, "provider", "Unknown provider %q; use a built-in provider (google, github, microsoft, apple, gitlab, discord, linkedin, slack, facebook, x) or type oidc or oauth2.", clip(p.Type))
	case p.Type == latchkey.OAuthTestIdP && !dev:
		return latchkey.Errorf(latchkey.CodeFormParamValue, "provider", "The Latchkey test provider exists only in dev mode.")
	case custom && !customOAuthID.MatchString(p.ID):
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "id", "A custom provider's id is custom_ followed by 1 to 40 lower-case letters, digits, _ or -.")
	case !custom && p.ID != p.Type:
		return latchkey.Errorf(latchkey.CodeFormParamValue, "id", "A built-in provider's id is its type, %q.", p.Type)
	}
	if err := checkText("name", p.Name, 100, true); err != nil {
		return err
	}
	if err := checkText("client_id", p.ClientID, 512, p.Type != latchkey.OAuthTestIdP); err != nil {
		return err
	}
	if err := checkText("client_secret", p.ClientSecret, 4096, false); err != nil {
		return err
	}
	if p.Enabled && p.ClientSecret == "" && p.Type != latchkey.OAuthApple && p.Type != latchkey.OAuthTestIdP {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "client_secret", "An enabled %s provider needs its client_secret.", p.Type)
	}
	if len(p.Scopes) > 50 {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "scopes", "At most 50 scopes.")
	}
	for _, s := range p.Scopes {
		if s == "" || len(s) > 200 || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, "scopes", "Each scope is one word of at most 200 characters, without spaces.")
		}
	}
	// Fields that belong to other types are refused, so a typo does not pass.
	only := []struct {
		param, value, typ string
	}{
		{"issuer", p.Issuer, latchkey.OAuthOIDC},
		{"auth_url", p.AuthURL, latchkey.OAuthOAuth2},
		{"token_url", p.TokenURL, latchkey.OAuthOAuth2},
		{"userinfo_url", p.UserInfoURL, latchkey.OAuthOAuth2},
		{"tenant", p.Tenant, latchkey.OAuthMicrosoft},
		{"apple_team_id", p.AppleTeamID, latchkey.OAuthApple},
		{"apple_key_id", p.AppleKeyID, latchkey.OAuthApple},
		{"apple_private_key", p.ApplePrivateKey, latchkey.OAuthApple},
	}
	for _, f := range only {
		if f.value != "" && p.Type != f.typ {
			return latchkey.Errorf(latchkey.CodeFormParamValue, f.param, "%s is only for providers of type %s.", f.param, f.typ)
		}
	}
	if p.Mapping != (latchkey.OAuthFieldMapping{}) && p.Type != latchkey.OAuthOAuth2 {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "mapping", "mapping is only for providers of type oauth2.")
	}
	switch p.Type {
	case latchkey.OAuthOIDC:
		return checkEndpoint("issuer", p.Issuer, dev)
	case latchkey.OAuthOAuth2:
		for _, f := range only[1:4] {
			if err := checkEndpoint(f.param, f.value, dev); err != nil {
				return err
			}
		}
		return checkMapping(p.Mapping)
	case latchkey.OAuthMicrosoft:
		if p.Tenant != "" && !microsoftTenant.MatchString(p.Tenant) {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, "tenant", "tenant is common, organizations, consumers, a tenant ID or a domain.")
		}
	case latchkey.OAuthApple:
		return checkApple(p)
	}
	return nil
}

func checkMapping(m latchkey.OAuthFieldMapping) error {
	if m.ID == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "mapping.id", "mapping.id is the path of the user's ID in the userinfo JSON.")
	}
	if m.Email == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "mapping.email", "mapping.email is the path of the email address in the userinfo JSON.")
	}
	paths := map[string]string{"id": m.ID, "email": m.Email, "email_verified": m.EmailVerified, "first_name": m.FirstName,
		"last_name": m.LastName, "name": m.Name, "avatar_url": m.AvatarURL, "username": m.Username}
	for k, v := range paths {
		if v != "" && !mappingPath.MatchString(v) {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, "mapping."+k, "A mapping is a dotted path of field names, such as data.email.")
		}
	}
	return nil
}

func checkApple(p *latchkey.OAuthProvider) error {
	set := 0
	for _, v := range []string{p.AppleTeamID, p.AppleKeyID, p.ApplePrivateKey} {
		if v != "" {
			set++
		}
	}
	if set == 0 {
		return nil
	}
	for _, f := range []struct{ param, value string }{{"apple_team_id", p.AppleTeamID}, {"apple_key_id", p.AppleKeyID}, {"apple_private_key", p.ApplePrivateKey}} {
		if f.value == "" {
			return latchkey.Errorf(latchkey.CodeFormParamMissing, f.param, "apple_team_id, apple_key_id and apple_private_key go together.")
		}
	}
	for _, f := range []struct{ param, value string }{{"apple_team_id", p.AppleTeamID}, {"apple_key_id", p.AppleKeyID}} {
		if !appleID.MatchString(f.value) {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, f.param, "%s is the 10-character identifier from the Apple developer account.", f.param)
		}
	}
	if _, err := oauth.ParseApplePrivateKey(p.ApplePrivateKey); err != nil {
		return err
	}
	return nil
}

// checkEndpoint requires an absolute https URL (http on loopback in dev).
func checkEndpoint(param, v string, dev bool) error {
	if v == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, param, "%s is required for this provider type.", param)
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" || len(v) > 2048 {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "%s must be an absolute https URL.", param)
	}
	if u.Scheme == "https" {
		return nil
	}
	if u.Scheme == "http" && dev && isLoopback(u.Hostname()) {
		return nil
	}
	return latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "%s must use https (http is allowed only for loopback addresses in dev mode).", param)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkText(param, v string, maxLen int, required bool) error {
	switch {
	case v == "" && required:
		return latchkey.Errorf(latchkey.CodeFormParamMissing, param, "%s is required.", param)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) && param != "apple_private_key":
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "%s cannot contain control characters.", param)
	case utf8.RuneCountInString(v) > maxLen:
		return latchkey.Errorf(latchkey.CodeFormParamValue, param, "%s is at most %d characters.", param, maxLen)
	}
	return nil
}

// clip shortens a value echoed in an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "..."
	}
	return s
}
