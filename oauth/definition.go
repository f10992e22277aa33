package oauth

import (
	"strings"

	"golang.org/x/oauth2"

	"github.com/latchkeyhq/latchkey"
)

// Kind says which protocol a provider speaks.
type Kind string

// The kinds of provider.
const (
	// KindOIDC providers return a signed id_token that is verified.
	KindOIDC Kind = "oidc"
	// KindOAuth2 providers are plain OAuth 2.0: the profile comes from their
	// user API, called with the access token.
	KindOAuth2 Kind = "oauth2"
)

// Definition is what Latchkey knows about a provider type: its endpoints,
// default scopes and how its profile maps onto a Profile.
type Definition struct {
	Type string // one of the latchkey.OAuth* constants
	Name string // shown on the button by default
	Kind Kind
	// Issuer is the expected id_token issuer of an OIDC provider. For
	// Microsoft it is a template containing "{tenantid}".
	Issuer      string
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	JWKSURL     string
	Scopes      []string
	// ResponseMode is sent as response_mode when not empty ("form_post" for
	// Apple, whose callback arrives as a POST).
	ResponseMode string
	// AuthParams are extra parameters of the authorization request (Google
	// issues a refresh token only with access_type=offline).
	AuthParams map[string]string
	// Refresh says whether the provider's tokens can be refreshed.
	Refresh bool
	// Discovery says the endpoints come from the issuer's
	// /.well-known/openid-configuration (custom OIDC providers).
	Discovery bool

	// authStyle is how the client authenticates at the token endpoint, where
	// the provider documents one; auto-detection otherwise (which may cost a
	// failed first request).
	authStyle oauth2.AuthStyle
	profile   profileFunc
}

// Endpoints overrides a Definition's endpoints. Empty fields keep the
// Definition's value. Tests use it to point a built-in provider at a
// loopback server.
type Endpoints struct {
	Issuer      string
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	JWKSURL     string
}

func (d Definition) withEndpoints(e Endpoints) Definition {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&d.Issuer, e.Issuer)
	set(&d.AuthURL, e.AuthURL)
	set(&d.TokenURL, e.TokenURL)
	set(&d.UserInfoURL, e.UserInfoURL)
	set(&d.JWKSURL, e.JWKSURL)
	return d
}

// Microsoft tenants with a meaning of their own.
const (
	MicrosoftCommon        = "common"
	MicrosoftOrganizations = "organizations"
	MicrosoftConsumers     = "consumers"
	// microsoftConsumersTenantID is the tenant of every personal Microsoft
	// account: the tid of their id_tokens.
	microsoftConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// Catalog returns the built-in providers by type. The result is a fresh
// copy; changing it changes nothing else.
func Catalog() map[string]Definition {
	defs := []Definition{
		{
			Type: latchkey.OAuthGoogle, Name: "Google", Kind: KindOIDC,
			Issuer:      "https://accounts.google.com",
			AuthURL:     "https://accounts.google.com/o/oauth2/v2/auth",
			TokenURL:    "https://oauth2.googleapis.com/token",
			UserInfoURL: "https://openidconnect.googleapis.com/v1/userinfo",
			JWKSURL:     "https://www.googleapis.com/oauth2/v3/certs",
			Scopes:      []string{"openid", "email", "profile"},
			AuthParams:  map[string]string{"access_type": "offline"},
			Refresh:     true,
			authStyle:   oauth2.AuthStyleInParams,
			profile:     oidcProfile,
		},
		{
			Type: latchkey.OAuthGitHub, Name: "GitHub", Kind: KindOAuth2,
			AuthURL:     "https://github.com/login/oauth/authorize",
			TokenURL:    "https://github.com/login/oauth/access_token",
			UserInfoURL: "https://api.github.com/user",
			Scopes:      []string{"read:user", "user:email"},
			Refresh:     true, // GitHub Apps with expiring user tokens
			authStyle:   oauth2.AuthStyleInParams,
			profile:     githubProfile,
		},
		microsoftDefinition(MicrosoftCommon),
		{
			Type: latchkey.OAuthApple, Name: "Apple", Kind: KindOIDC,
			Issuer:       "https://appleid.apple.com",
			AuthURL:      "https://appleid.apple.com/auth/authorize",
			TokenURL:     "https://appleid.apple.com/auth/token",
			JWKSURL:      "https://appleid.apple.com/auth/keys",
			Scopes:       []string{"name", "email"},
			ResponseMode: "form_post",
			Refresh:      true,
			authStyle:    oauth2.AuthStyleInParams,
			profile:      oidcProfile,
		},
		{
			Type: latchkey.OAuthGitLab, Name: "GitLab", Kind: KindOIDC,
			Issuer:      "https://gitlab.com",
			AuthURL:     "https://gitlab.com/oauth/authorize",
			TokenURL:    "https://gitlab.com/oauth/token",
			UserInfoURL: "https://gitlab.com/oauth/userinfo",
			JWKSURL:     "https://gitlab.com/oauth/discovery/keys",
			Scopes:      []string{"openid", "profile", "email"},
			Refresh:     true,
			authStyle:   oauth2.AuthStyleInParams,
			profile:     oidcProfile,
		},
		{
			Type: latchkey.OAuthDiscord, Name: "Discord", Kind: KindOAuth2,
			AuthURL:     "https://discord.com/oauth2/authorize",
			TokenURL:    "https://discord.com/api/oauth2/token",
			UserInfoURL: "https://discord.com/api/users/@me",
			Scopes:      []string{"identify", "email"},
			Refresh:     true,
			authStyle:   oauth2.AuthStyleInParams,
			profile:     discordProfile,
		},
		{
			Type: latchkey.OAuthLinkedIn, Name: "LinkedIn", Kind: KindOIDC,
			Issuer:      "https://www.linkedin.com/oauth",
			AuthURL:     "https://www.linkedin.com/oauth/v2/authorization",
			TokenURL:    "https://www.linkedin.com/oauth/v2/accessToken",
			UserInfoURL: "https://api.linkedin.com/v2/userinfo",
			JWKSURL:     "https://www.linkedin.com/oauth/openid/jwks",
			Scopes:      []string{"openid", "profile", "email"},
			authStyle:   oauth2.AuthStyleInParams,
			profile:     oidcProfile,
		},
		{
			Type: latchkey.OAuthSlack, Name: "Slack", Kind: KindOIDC,
			Issuer:      "https://slack.com",
			AuthURL:     "https://slack.com/openid/connect/authorize",
			TokenURL:    "https://slack.com/api/openid.connect.token",
			UserInfoURL: "https://slack.com/api/openid.connect.userInfo",
			JWKSURL:     "https://slack.com/openid/connect/keys",
			Scopes:      []string{"openid", "profile", "email"},
			authStyle:   oauth2.AuthStyleInParams,
			profile:     oidcProfile,
		},
		{
			Type: latchkey.OAuthFacebook, Name: "Facebook", Kind: KindOAuth2,
			AuthURL:     "https://www.facebook.com/v22.0/dialog/oauth",
			TokenURL:    "https://graph.facebook.com/v22.0/oauth/access_token",
			UserInfoURL: "https://graph.facebook.com/v22.0/me?fields=id,name,first_name,last_name,email,picture",
			Scopes:      []string{"email", "public_profile"},
			authStyle:   oauth2.AuthStyleInParams,
			profile:     facebookProfile,
		},
		{
			Type: latchkey.OAuthX, Name: "X", Kind: KindOAuth2,
			AuthURL:     "https://x.com/i/oauth2/authorize",
			TokenURL:    "https://api.x.com/2/oauth2/token",
			UserInfoURL: "https://api.x.com/2/users/me?user.fields=profile_image_url",
			Scopes:      []string{"users.read", "tweet.read", "offline.access"},
			Refresh:     true,
			authStyle:   oauth2.AuthStyleInHeader,
			profile:     xProfile,
		},
	}
	out := make(map[string]Definition, len(defs))
	for _, d := range defs {
		d.Scopes = append([]string(nil), d.Scopes...)
		out[d.Type] = d
	}
	return out
}

// microsoftDefinition is the Microsoft Entra ID (v2.0 endpoint) definition
// for a tenant: "common", "organizations", "consumers" or a tenant ID.
func microsoftDefinition(tenant string) Definition {
	base := "https://login.microsoftonline.com/" + tenant
	return Definition{
		Type: latchkey.OAuthMicrosoft, Name: "Microsoft", Kind: KindOIDC,
		Issuer:      "https://login.microsoftonline.com/{tenantid}/v2.0",
		AuthURL:     base + "/oauth2/v2.0/authorize",
		TokenURL:    base + "/oauth2/v2.0/token",
		UserInfoURL: "https://graph.microsoft.com/oidc/userinfo",
		JWKSURL:     base + "/discovery/v2.0/keys",
		Scopes:      []string{"openid", "profile", "email", "offline_access"}, // offline_access: a refresh token
		Refresh:     true,
		authStyle:   oauth2.AuthStyleInParams,
		profile:     microsoftProfile,
	}
}

// TestIdP is the definition of the development test provider
// ("latchkey_test"), whose endpoints Latchkey serves under baseURL. It is a
// plain OAuth 2.0 provider: its userinfo gives id, email, email_verified and
// name.
func TestIdP(baseURL string) Definition {
	base := strings.TrimRight(baseURL, "/")
	return Definition{
		Type: latchkey.OAuthTestIdP, Name: "Latchkey Test IdP", Kind: KindOAuth2,
		AuthURL:     base + "/authorize",
		TokenURL:    base + "/token",
		UserInfoURL: base + "/userinfo",
		Scopes:      []string{"profile", "email"},
		Refresh:     true,
		profile: mappedProfile(latchkey.OAuthFieldMapping{
			ID: "id", Email: "email", EmailVerified: "email_verified", Name: "name",
		}),
	}
}

// customOIDC is the definition of a custom OpenID Connect provider: its
// endpoints come from discovery at the issuer.
func customOIDC(issuer string) Definition {
	return Definition{
		Type: latchkey.OAuthOIDC, Name: "OpenID Connect", Kind: KindOIDC,
		Issuer:    strings.TrimRight(issuer, "/"),
		Scopes:    []string{"openid", "email", "profile"},
		Refresh:   true,
		Discovery: true,
		profile:   oidcProfile,
	}
}

// customOAuth2 is the definition of a custom OAuth 2.0 provider.
func customOAuth2(p latchkey.OAuthProvider) Definition {
	return Definition{
		Type: latchkey.OAuthOAuth2, Name: "OAuth 2.0", Kind: KindOAuth2,
		AuthURL:     p.AuthURL,
		TokenURL:    p.TokenURL,
		UserInfoURL: p.UserInfoURL,
		Refresh:     true,
		profile:     mappedProfile(p.Mapping),
	}
}
