package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey/auth"
)

// signInAttempt is POST /v1/client/sign_ins/{id}/attempt_first_factor:
// check a password or a code.
func (s *Server) signInAttempt(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	var p auth.AttemptParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	v, err := s.signIns.AttemptFirstFactor(r.Context(), fc.state, r.PathValue("id"), p, fc.req)
	return s.writeSignIn(w, r, fc, v, err)
}
