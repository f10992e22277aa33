package web

import (
	"context"
	"errors"

	"github.com/latchkeyhq/latchkey"
)

// signInJSON is a sign-in attempt on the Frontend API.
type signInJSON struct {
	Object           string  `json:"object"`
	ID               string  `json:"id"`
	Status           string  `json:"status"`
	Identifier       *string `json:"identifier"`
	CreatedSessionID *string `json:"created_session_id"`
	ExpireAt         int64   `json:"expire_at"`
	CreatedAt        int64   `json:"created_at"`
	UpdatedAt        int64   `json:"updated_at"`
}

// signInObject renders a sign-in attempt, or nil if it no longer exists.
func (s *Server) signInObject(ctx context.Context, id string) (any, error) {
	si, err := s.store.SignInByID(ctx, id)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return signInJSON{Object: "sign_in", ID: si.ID, Status: si.Status, Identifier: optString(si.Identifier),
		CreatedSessionID: optString(si.CreatedSessionID), ExpireAt: latchkey.Millis(si.ExpireAt),
		CreatedAt: latchkey.Millis(si.CreatedAt), UpdatedAt: latchkey.Millis(si.UpdatedAt)}, nil
}
