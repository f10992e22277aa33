package web

import "net/http"

// signInGet is GET /v1/client/sign_ins/{id}: a sign-in of this browser (a
// tab polls it while a magic link is opened on another device).
func (s *Server) signInGet(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	v, err := s.signIns.Get(r.Context(), fc.state, r.PathValue("id"))
	return s.writeSignIn(w, r, fc, v, err)
}
