package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// connectParams are the fields of POST /v1/me/external_accounts.
type connectParams struct {
	Strategy    string `json:"strategy"`
	RedirectURL string `json:"redirect_url"`
}

// connectJSON answers a connect: the external account to be, shaped like
// one (no id until the provider answered) with where to send the browser.
// The callback then links the identity to the signed-in user.
type connectJSON struct {
	Object       string                   `json:"object"`
	ID           *string                  `json:"id"`
	Provider     string                   `json:"provider"`
	Verification externalVerificationJSON `json:"verification"`
}

// meExternalAccountCreate is POST /v1/me/external_accounts: connect another
// provider to the signed-in user (who must have signed in within the last
// 10 minutes).
func (s *Server) meExternalAccountCreate(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	var p connectParams
	if err := s.decodeJSON(r, &p, true); err != nil {
		return err
	}
	if s.social == nil || !auth.IsOAuthStrategy(p.Strategy) {
		return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "The strategy is oauth_ followed by an enabled provider.")
	}
	if _, err := s.checkRedirect(p.RedirectURL); err != nil {
		return err
	}
	url, err := s.social.StartConnect(r.Context(), fc.state, sess, p.Strategy, p.RedirectURL, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, connectJSON{Object: "external_account",
		Provider:     p.Strategy[len(auth.StrategyOAuthPrefix):],
		Verification: externalVerificationJSON{Status: auth.SocialUnverified, Strategy: p.Strategy, ExternalVerificationRedirectURL: &url}})
}

// meExternalAccountDelete is DELETE /v1/me/external_accounts/{id}:
// disconnect a provider, unless it is the user's last way to sign in.
func (s *Server) meExternalAccountDelete(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	if s.social == nil {
		return errRouteNotFound(r.URL.Path)
	}
	id := r.PathValue("id")
	if err := s.social.Disconnect(r.Context(), sess.UserID, id, fc.req); err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, map[string]any{"object": "external_account", "id": id, "deleted": true})
}
