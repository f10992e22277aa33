package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey/auth"
)

// signInPrepare is POST /v1/client/sign_ins/{id}/prepare_first_factor:
// send a code or a link (email_code, email_link,
// reset_password_email_code, reset_password_email_link).
func (s *Server) signInPrepare(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p auth.PrepareParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	if err := s.checkOptionalRedirect(p.RedirectURL); err != nil {
		return err
	}
	v, err := s.signIns.PrepareFirstFactor(r.Context(), fc.state, r.PathValue("id"), p, fc.req)
	return s.writeSignIn(w, r, fc, v, err)
}
