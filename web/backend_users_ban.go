package web

import (
	"context"
	"net/http"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// usersBan is POST /api/v1/users/{id}/ban.
func (s *Server) usersBan(w http.ResponseWriter, r *http.Request) error {
	return s.setUserFlag(w, r, func(ctx context.Context, id string) (*latchkey.User, error) { return s.users.SetBanned(ctx, id, true) })
}

// usersUnban is POST /api/v1/users/{id}/unban.
func (s *Server) usersUnban(w http.ResponseWriter, r *http.Request) error {
	return s.setUserFlag(w, r, func(ctx context.Context, id string) (*latchkey.User, error) { return s.users.SetBanned(ctx, id, false) })
}

// usersLock is POST /api/v1/users/{id}/lock.
func (s *Server) usersLock(w http.ResponseWriter, r *http.Request) error {
	return s.setUserFlag(w, r, func(ctx context.Context, id string) (*latchkey.User, error) { return s.users.SetLocked(ctx, id, true) })
}

// usersUnlock is POST /api/v1/users/{id}/unlock.
func (s *Server) usersUnlock(w http.ResponseWriter, r *http.Request) error {
	return s.setUserFlag(w, r, func(ctx context.Context, id string) (*latchkey.User, error) { return s.users.SetLocked(ctx, id, false) })
}

// setUserFlag runs one of the bodiless user actions; a body, if any, must
// be an empty JSON object.
func (s *Server) setUserFlag(w http.ResponseWriter, r *http.Request, fn func(context.Context, string) (*latchkey.User, error)) error {
	var empty struct{}
	if err := s.decodeJSON(r, &empty, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	u, err := fn(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "user", id)
	}
	writeJSON(w, http.StatusOK, newUserJSON(u, time.Now()))
	return nil
}
