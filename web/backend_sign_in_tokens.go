package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// signInTokenParams is the body of POST /api/v1/sign_in_tokens.
type signInTokenParams struct {
	UserID           string `json:"user_id"`
	ExpiresInSeconds *int64 `json:"expires_in_seconds"`
	RedirectURL      string `json:"redirect_url"`
}

// signInTokenJSON is a minted sign-in token. The token and URL are in this
// response only: the token is stored as a digest.
type signInTokenJSON struct {
	Object    string `json:"object"`
	ID        string `json:"id"`
	UserID    string `json:"user_id"`
	Token     string `json:"token"`
	URL       string `json:"url"`
	Status    string `json:"status"`
	CreatedAt int64  `json:"created_at"`
	ExpiresAt int64  `json:"expires_at"`
}

// signInTokensCreate is POST /api/v1/sign_in_tokens: a one-time link that
// signs the user in on whichever browser opens it first.
func (s *Server) signInTokensCreate(w http.ResponseWriter, r *http.Request) error {
	var p signInTokenParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	if p.UserID == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "user_id", "user_id is required.")
	}
	lifetime := auth.DefaultSignInTokenLifetime
	if p.ExpiresInSeconds != nil {
		if *p.ExpiresInSeconds <= 0 || *p.ExpiresInSeconds > int64(auth.MaxSignInTokenLifetime/time.Second) {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "expires_in_seconds", "expires_in_seconds must be between 1 and %d.", int64(auth.MaxSignInTokenLifetime/time.Second))
		}
		lifetime = time.Duration(*p.ExpiresInSeconds) * time.Second
	}
	if err := s.checkOptionalRedirect(p.RedirectURL); err != nil {
		return err
	}
	t, err := s.signIns.CreateToken(r.Context(), p.UserID, lifetime, p.RedirectURL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, signInTokenJSON{Object: "sign_in_token", ID: t.Challenge.ID, UserID: t.Challenge.OwnerID,
		Token: t.Token, URL: t.URL, Status: "pending", CreatedAt: latchkey.Millis(t.Challenge.CreatedAt),
		ExpiresAt: latchkey.Millis(t.Challenge.ExpireAt)})
	return nil
}
