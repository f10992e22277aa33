package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey/auth"
)

// usersUpdate is PATCH /api/v1/users/{id}.
func (s *Server) usersUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p auth.UpdateUserParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	u, err := s.users.UpdateUser(r.Context(), id, p)
	if err != nil {
		return notFoundAs(err, "user", id)
	}
	writeJSON(w, http.StatusOK, newUserJSON(u, time.Now()))
	return nil
}

// usersMetadata is PATCH /api/v1/users/{id}/metadata: a deep merge.
func (s *Server) usersMetadata(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p auth.MetadataPatch
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	u, err := s.users.UpdateMetadata(r.Context(), id, p)
	if err != nil {
		return notFoundAs(err, "user", id)
	}
	writeJSON(w, http.StatusOK, newUserJSON(u, time.Now()))
	return nil
}
