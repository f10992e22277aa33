package latchkey

import "time"

// PrefixExternalAccount prefixes the IDs of external accounts (a user's
// identity at an OAuth/OIDC provider).
const PrefixExternalAccount = "eac"

// OAuth provider types: the built-in providers, plus custom ones.
const (
	OAuthGoogle    = "google"
	OAuthGitHub    = "github"
	OAuthMicrosoft = "microsoft"
	OAuthApple     = "apple"
	OAuthGitLab    = "gitlab"
	OAuthDiscord   = "discord"
	OAuthLinkedIn  = "linkedin"
	OAuthSlack     = "slack"
	OAuthFacebook  = "facebook"
	OAuthX         = "x"
	OAuthOIDC      = "oidc"   // any OpenID Connect provider, by issuer and discovery
	OAuthOAuth2    = "oauth2" // any OAuth 2.0 provider, by URLs and a field mapping
	OAuthTestIdP   = "latchkey_test"
)

// OAuthProvider is one configured social sign-in provider. Its ID is the
// strategy suffix ("oauth_<id>"): the type for a built-in provider
// ("google"), or "custom_<slug>" for a custom OIDC or OAuth 2.0 one.
type OAuthProvider struct {
	ID           string
	Type         string // one of the OAuth* constants
	Name         string // shown on the button; the catalog's name by default
	ClientID     string
	ClientSecret string // plaintext in memory only: stored sealed, never returned
	Scopes       []string
	Enabled      bool
	// TrustVerifiedEmail links the provider's identity to an existing user
	// with the same email address automatically when the provider asserts
	// that address is verified. Off means the person proves ownership first.
	TrustVerifiedEmail bool

	// Custom OIDC: the issuer (discovery at /.well-known/openid-configuration).
	Issuer string
	// Custom OAuth 2.0: the endpoints and where the profile fields are in the
	// userinfo JSON (dotted paths, e.g. "data.email").
	AuthURL     string
	TokenURL    string
	UserInfoURL string
	Mapping     OAuthFieldMapping
	// Microsoft: "common" (default), "organizations", "consumers" or a tenant ID.
	Tenant string
	// Apple: the client secret is a JWT signed with the .p8 key.
	AppleTeamID     string
	AppleKeyID      string
	ApplePrivateKey string // PEM of the .p8 key: stored sealed, never returned

	// ManagedByFile is set for a provider declared in the configuration file:
	// the file wins at every start, so the API refuses to change it.
	ManagedByFile bool

	CreatedAt time.Time
	UpdatedAt time.Time
}

// OAuthFieldMapping says where a custom OAuth 2.0 provider's userinfo JSON
// keeps each profile field (dotted paths). ID and Email are required.
type OAuthFieldMapping struct {
	ID            string `json:"id"`
	Email         string `json:"email"`
	EmailVerified string `json:"email_verified,omitempty"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	Name          string `json:"name,omitempty"`
	AvatarURL     string `json:"avatar_url,omitempty"`
	Username      string `json:"username,omitempty"`
}

// ExternalAccount is a user's identity at a provider, linked to the user.
type ExternalAccount struct {
	ID             string
	UserID         string
	ProviderID     string // OAuthProvider.ID
	ProviderUserID string // the provider's stable subject ("sub", GitHub's numeric id)
	EmailAddress   string
	EmailVerified  bool // as the provider asserted it
	FirstName      string
	LastName       string
	Username       string
	AvatarURL      string
	// Tokens, sealed at rest; empty when the provider gave none.
	AccessToken  string
	RefreshToken string
	TokenExpiry  time.Time
	Scopes       []string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}
