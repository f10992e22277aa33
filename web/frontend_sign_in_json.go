package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// signInJSON is a sign-in attempt on the Frontend API, with Clerk's field
// names. It says nothing about whether the identifier belongs to anyone.
type signInJSON struct {
	Object                   string                  `json:"object"`
	ID                       string                  `json:"id"`
	Status                   string                  `json:"status"`
	Identifier               *string                 `json:"identifier"`
	SupportedIdentifiers     []string                `json:"supported_identifiers"`
	SupportedFirstFactors    []signInFactorJSON      `json:"supported_first_factors"`
	SupportedSecondFactors   []signInFactorJSON      `json:"supported_second_factors"`
	FirstFactorVerification  *signInVerificationJSON `json:"first_factor_verification"`
	SecondFactorVerification *signInVerificationJSON `json:"second_factor_verification"`
	CreatedSessionID         *string                 `json:"created_session_id"`
	ExpireAt                 int64                   `json:"expire_at"`
	CreatedAt                int64                   `json:"created_at"`
	UpdatedAt                int64                   `json:"updated_at"`
}

// signInFactorJSON is a first factor the sign-in may use.
type signInFactorJSON struct {
	Strategy       string `json:"strategy"`
	SafeIdentifier string `json:"safe_identifier,omitempty"`
	EmailAddressID string `json:"email_address_id,omitempty"`
}

// signInVerificationJSON is the state of the sign-in's current factor.
type signInVerificationJSON struct {
	Status   string `json:"status"`
	Strategy string `json:"strategy"`
	Attempts *int   `json:"attempts"`
	ExpireAt *int64 `json:"expire_at"`
	// ExternalVerificationRedirectURL is present (possibly null) only for
	// a provider's strategy: the outer pointer says present, the inner one
	// holds the URL, given only in the answer that starts the redirect.
	ExternalVerificationRedirectURL **string `json:"external_verification_redirect_url,omitempty"`
}

func newSignInJSON(v *auth.SignInView) signInJSON {
	si := v.SignIn
	out := signInJSON{
		Object: "sign_in", ID: si.ID, Status: si.Status, Identifier: optString(si.Identifier),
		SupportedIdentifiers:  nonNil(v.SupportedIdentifiers),
		SupportedFirstFactors: []signInFactorJSON{},
		CreatedSessionID:      optString(si.CreatedSessionID), ExpireAt: latchkey.Millis(si.ExpireAt),
		CreatedAt: latchkey.Millis(si.CreatedAt), UpdatedAt: latchkey.Millis(si.UpdatedAt),
	}
	for _, f := range v.Factors {
		out.SupportedFirstFactors = append(out.SupportedFirstFactors,
			signInFactorJSON{Strategy: f.Strategy, SafeIdentifier: f.SafeIdentifier, EmailAddressID: f.EmailAddressID})
	}
	if fv := v.Verification; fv != nil {
		ffv := &signInVerificationJSON{Status: fv.Status, Strategy: fv.Strategy, ExpireAt: optMillis(fv.ExpireAt)}
		if !fv.ExpireAt.IsZero() && fv.Strategy != latchkey.VerifyEmailLink && fv.Strategy != latchkey.VerifyResetPasswordLink {
			ffv.Attempts = &fv.Attempts
		}
		out.FirstFactorVerification = ffv
	}
	if sv := v.Social; sv != nil {
		url := optString(sv.RedirectURL)
		out.FirstFactorVerification = &signInVerificationJSON{Status: sv.Status, Strategy: sv.Strategy,
			ExpireAt: optMillis(sv.ExpireAt), ExternalVerificationRedirectURL: &url}
	}
	return out
}

// signInObject renders a sign-in attempt, or nil if it no longer exists.
func (s *Server) signInObject(ctx context.Context, id string) (any, error) {
	v, err := s.signIns.View(ctx, id)
	if err != nil || v == nil {
		return nil, err
	}
	return newSignInJSON(v), nil
}

// writeSignIn answers a sign-in endpoint: the sign-in in the envelope, or
// the error. An error still sends the cookies of a client the request
// created or rotated (a one-step sign-in with a wrong password keeps its
// client), and a rate limit says when to retry.
func (s *Server) writeSignIn(w http.ResponseWriter, r *http.Request, fc *frontendCtx, v *auth.SignInView, err error) error {
	if err != nil {
		var limited *auth.RateLimitError
		if errors.As(err, &limited) {
			w.Header().Set("Retry-After", strconv.Itoa(limited.RetryAfter))
		}
		if fc.state.Credential != "" && fc.state.Client != nil {
			if cerr := s.setClientCookies(w, r, fc); cerr != nil {
				s.log.Warn("set client cookies on a failed sign-in", "trace_id", traceID(r.Context()), "err", cerr)
			}
		}
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newSignInJSON(v))
}

// checkOptionalRedirect checks a redirect_url when one is given.
func (s *Server) checkOptionalRedirect(raw string) error {
	if raw == "" {
		return nil
	}
	_, err := s.checkRedirect(raw)
	return err
}

// socialVerificationJSON is the provider step of a sign-in or sign-up. The
// provider's URL is given only in the answer that starts the redirect.
type socialVerificationJSON struct {
	Status                          string  `json:"status"`
	Strategy                        string  `json:"strategy"`
	ExternalVerificationRedirectURL *string `json:"external_verification_redirect_url"`
	Attempts                        *int    `json:"attempts"`
	ExpireAt                        *int64  `json:"expire_at"`
}

func newSocialVerificationJSON(sv *auth.SocialVerification) *socialVerificationJSON {
	return &socialVerificationJSON{Status: sv.Status, Strategy: sv.Strategy,
		ExternalVerificationRedirectURL: optString(sv.RedirectURL), ExpireAt: optMillis(sv.ExpireAt)}
}
