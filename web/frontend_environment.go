package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

// environmentJSON tells a UI what the instance allows, so it renders the
// right form. It contains nothing secret.
type environmentJSON struct {
	Object          string                    `json:"object"`
	Environment     string                    `json:"environment"`
	PublishableKey  string                    `json:"publishable_key"`
	Identifiers     environmentIdentifiers    `json:"identifiers"`
	Name            latchkey.NameSettings     `json:"name"`
	Password        environmentPassword       `json:"password"`
	SignIn          environmentSignIn         `json:"sign_in"`
	SignUp          environmentSignUp         `json:"sign_up"`
	Session         environmentSession        `json:"session"`
	Branding        latchkey.BrandingSettings `json:"branding"`
	DeleteSelf      bool                      `json:"delete_self_enabled"`
	FrontendAPIPath string                    `json:"frontend_api_path"`
	Social          []environmentSocial       `json:"social"`
}

// environmentSocial is one enabled social sign-in provider, for its button.
type environmentSocial struct {
	Provider string `json:"provider"`
	Strategy string `json:"strategy"`
	Name     string `json:"name"`
}

type environmentIdentifiers struct {
	EmailAddress latchkey.IdentifierSettings `json:"email_address"`
	PhoneNumber  latchkey.IdentifierSettings `json:"phone_number"`
	Username     latchkey.UsernameSettings   `json:"username"`
}

type environmentPassword struct {
	Enabled   bool   `json:"enabled"`
	Required  bool   `json:"required"`
	MinLength int    `json:"min_length"`
	MaxLength int    `json:"max_length"`
	Policy    string `json:"policy"`
}

type environmentSignIn struct {
	FirstFactors []string `json:"first_factors"`
}

type environmentSignUp struct {
	Mode                 string   `json:"mode"`
	LegalConsentRequired bool     `json:"legal_consent_required"`
	Verifications        []string `json:"verifications"`
}

type environmentSession struct {
	MultiSession         bool  `json:"multi_session"`
	TokenLifetimeSeconds int64 `json:"token_lifetime_seconds"`
}

// environment is GET /v1/environment.
func (s *Server) environment(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	snap := s.instance.Snapshot()
	set := snap.Settings
	var providers []*latchkey.OAuthProvider
	var err error
	if s.social != nil {
		providers, err = s.social.Providers(r.Context()) // with the test provider in dev mode
	} else {
		providers, err = s.store.EnabledOAuthProviders(r.Context())
	}
	if err != nil {
		return err
	}
	social := make([]environmentSocial, 0, len(providers))
	for _, p := range providers {
		social = append(social, environmentSocial{Provider: p.ID, Strategy: "oauth_" + p.ID, Name: p.Name})
	}
	var factors, verifications []string
	if set.Password.Enabled {
		factors = append(factors, "password")
	}
	if set.SignIn.EmailCode && set.EmailAddress.Enabled {
		factors = append(factors, latchkey.VerifyEmailCode)
		verifications = append(verifications, latchkey.VerifyEmailCode)
	}
	if set.SignIn.EmailLink && set.EmailAddress.Enabled {
		factors = append(factors, latchkey.VerifyEmailLink)
		verifications = append(verifications, latchkey.VerifyEmailLink)
	}
	if set.Password.Enabled && set.EmailAddress.Enabled && set.SignIn.EmailCode {
		factors = append(factors, latchkey.VerifyResetPasswordCode)
	}
	if set.Password.Enabled && set.EmailAddress.Enabled && set.SignIn.EmailLink {
		factors = append(factors, latchkey.VerifyResetPasswordLink)
	}
	out := environmentJSON{
		Object: "environment", Environment: snap.Instance.Environment, PublishableKey: snap.Instance.PublishableKey,
		Identifiers: environmentIdentifiers{EmailAddress: set.EmailAddress, PhoneNumber: set.PhoneNumber, Username: set.Username},
		Name:        set.Name,
		Password: environmentPassword{Enabled: set.Password.Enabled, Required: set.Password.Required,
			MinLength: set.Password.MinLength, MaxLength: set.Password.MaxLength, Policy: set.Password.Policy},
		SignIn:          environmentSignIn{FirstFactors: nonNil(factors)},
		SignUp:          environmentSignUp{Mode: set.SignUp.Mode, LegalConsentRequired: set.SignUp.LegalConsentRequired, Verifications: nonNil(verifications)},
		Session:         environmentSession{MultiSession: set.Session.MultiSession, TokenLifetimeSeconds: set.Session.TokenLifetimeSeconds},
		Branding:        set.Branding,
		DeleteSelf:      set.User.DeleteSelfEnabled,
		FrontendAPIPath: "/v1",
		Social:          social,
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
