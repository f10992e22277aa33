package web

import (
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey/auth"
)

// usersCreate is POST /api/v1/users.
func (s *Server) usersCreate(w http.ResponseWriter, r *http.Request) error {
	var p auth.CreateUserParams
	if err := s.decodeJSON(r, &p, false); err != nil {
		return err
	}
	u, err := s.users.CreateUser(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newUserJSON(u, time.Now()))
	return nil
}
