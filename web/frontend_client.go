package web

import "net/http"

// clientGet is GET /v1/client: the browser's client, or null.
func (s *Server) clientGet(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	client, err := s.clientJSON(r.Context(), fc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"response": client, "client": client})
	return nil
}

// clientDelete is DELETE /v1/client: sign out of every session on this
// device. The credential rotates, so a copy of the old cookie is useless.
func (s *Server) clientDelete(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if err := s.sessions.SignOutClient(r.Context(), fc.state, fc.req); err != nil {
		return err
	}
	if fc.state.Client == nil {
		s.clearCookies(w, r)
	}
	client, err := s.clientJSON(r.Context(), fc)
	if err != nil {
		return err
	}
	return s.writeFrontend(w, r, fc, http.StatusOK, client)
}
