package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey/auth"
)

// signInCreate is POST /v1/client/sign_ins: start a sign-in with an
// identifier (or none yet), optionally attempting a password or sending a
// code or link in the same call.
func (s *Server) signInCreate(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p auth.CreateSignInParams
	if err := s.decodeJSON(r, &p, true); err != nil {
		return err
	}
	if s.social != nil && (p.Transfer || auth.IsOAuthStrategy(p.Strategy)) {
		return s.signInSocial(w, r, fc, p)
	}
	if err := s.checkOptionalRedirect(p.RedirectURL); err != nil {
		return err
	}
	v, err := s.signIns.Create(r.Context(), fc.state, p, fc.req)
	return s.writeSignIn(w, r, fc, v, err)
}
