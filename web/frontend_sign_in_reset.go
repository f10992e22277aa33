package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey/auth"
)

// signInResetPassword is POST /v1/client/sign_ins/{id}/reset_password: set
// a new password after a verified reset code or link, and finish signing in.
func (s *Server) signInResetPassword(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p auth.ResetPasswordParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	v, err := s.signIns.ResetPassword(r.Context(), fc.state, r.PathValue("id"), p, fc.req)
	return s.writeSignIn(w, r, fc, v, err)
}
