package web

import (
	"context"
	"errors"

	"github.com/latchkeyhq/latchkey"
)

// signUpJSON is a sign-up attempt on the Frontend API.
type signUpJSON struct {
	Object           string  `json:"object"`
	ID               string  `json:"id"`
	Status           string  `json:"status"`
	EmailAddress     *string `json:"email_address"`
	CreatedUserID    *string `json:"created_user_id"`
	CreatedSessionID *string `json:"created_session_id"`
	ExpireAt         int64   `json:"expire_at"`
	CreatedAt        int64   `json:"created_at"`
	UpdatedAt        int64   `json:"updated_at"`
}

// signUpObject renders a sign-up attempt, or nil if it no longer exists.
func (s *Server) signUpObject(ctx context.Context, id string) (any, error) {
	su, err := s.store.SignUpByID(ctx, id)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return signUpJSON{Object: "sign_up", ID: su.ID, Status: su.Status, EmailAddress: optString(su.EmailAddress),
		CreatedUserID: optString(su.CreatedUserID), CreatedSessionID: optString(su.CreatedSessionID),
		ExpireAt: latchkey.Millis(su.ExpireAt), CreatedAt: latchkey.Millis(su.CreatedAt), UpdatedAt: latchkey.Millis(su.UpdatedAt)}, nil
}
