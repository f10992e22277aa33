package latchkey

import (
	"context"
	"net/http"
	"net/url"
)

// Session is a signed-in session of a user on one client (browser or
// device). Times are Unix milliseconds.
type Session struct {
	ID     string `json:"id"`
	Object string `json:"object"` // "session"
	UserID string `json:"user_id"`
	// ClientID is the client (browser or device) that holds the session.
	ClientID string `json:"client_id"`
	// Status is "active", "ended", "revoked", "expired", ...
	Status       string `json:"status"`
	LastActiveAt int64  `json:"last_active_at"`
	ExpireAt     int64  `json:"expire_at"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

// SessionList is a page of sessions and the number that match in all.
type SessionList struct {
	Data       []Session `json:"data"`
	TotalCount int       `json:"total_count"`
}

// SessionsService is the /sessions part of the Backend API.
type SessionsService struct{ c *Client }

// List returns the sessions of userID, filtered by status ("active",
// "revoked", ...) unless status is "" (GET /sessions).
func (s *SessionsService) List(ctx context.Context, userID, status string) (*SessionList, error) {
	q := url.Values{}
	if userID != "" {
		q.Set("user_id", userID)
	}
	if status != "" {
		q.Set("status", status)
	}
	var out SessionList
	if err := s.c.do(ctx, http.MethodGet, "/sessions", q, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Revoke ends a session at once: its client can mint no more tokens, and
// tokens already minted stop verifying when they expire, within a minute
// (POST /sessions/{id}/revoke). It returns the revoked session.
func (s *SessionsService) Revoke(ctx context.Context, id string) (*Session, error) {
	p, err := pathID("session", id)
	if err != nil {
		return nil, err
	}
	var out Session
	if err := s.c.do(ctx, http.MethodPost, "/sessions/"+p+"/revoke", nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
