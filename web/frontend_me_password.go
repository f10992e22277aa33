package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey/auth"
)

// meChangePassword is POST /v1/me/change_password. This browser stays
// signed in; by default every other session of the person ends.
func (s *Server) meChangePassword(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	sess, err := s.signedIn(r, fc)
	if err != nil {
		return err
	}
	var p auth.ChangePasswordParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	u, err := s.me.ChangePassword(r.Context(), sess, p, fc.req)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, newFrontendUser(u, time.Now()))
}
