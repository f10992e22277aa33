package web

import (
	"net/http"
	"time"
)

// usersGet is GET /api/v1/users/{id}.
func (s *Server) usersGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	u, err := s.store.UserByID(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "user", id)
	}
	if err := s.withExternalAccounts(r.Context(), u); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newUserJSON(u, time.Now()))
	return nil
}
