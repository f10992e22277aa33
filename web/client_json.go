package web

import (
	"context"
	"errors"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// clientJSON is a client as the Frontend API returns it: its active
// sessions with their users, and the sign-in and sign-up in progress.
type clientJSON struct {
	Object              string        `json:"object"`
	ID                  string        `json:"id"`
	Sessions            []sessionJSON `json:"sessions"`
	SignIn              any           `json:"sign_in"`
	SignUp              any           `json:"sign_up"`
	LastActiveSessionID *string       `json:"last_active_session_id"`
	CreatedAt           int64         `json:"created_at"`
	UpdatedAt           int64         `json:"updated_at"`
}

// sessionJSON is a session on the Frontend API.
type sessionJSON struct {
	Object       string            `json:"object"`
	ID           string            `json:"id"`
	Status       string            `json:"status"`
	LastActiveAt int64             `json:"last_active_at"`
	ExpireAt     int64             `json:"expire_at"`
	AbandonAt    *int64            `json:"abandon_at"`
	User         *frontendUserJSON `json:"user,omitempty"`
	CreatedAt    int64             `json:"created_at"`
	UpdatedAt    int64             `json:"updated_at"`
}

// frontendUserJSON is the signed-in person's own view of their user: the
// Backend API shape without private metadata.
type frontendUserJSON struct {
	userJSON
	PrivateMetadata *struct{} `json:"private_metadata,omitempty"` // shadows userJSON's: never sent to browsers
}

func newFrontendUser(u *latchkey.User, now time.Time) *frontendUserJSON {
	return &frontendUserJSON{userJSON: newUserJSON(u, now)}
}

func newSessionJSON(sess *latchkey.Session, u *latchkey.User, now time.Time) sessionJSON {
	out := sessionJSON{
		Object: "session", ID: sess.ID, Status: sess.Status, LastActiveAt: latchkey.Millis(sess.LastActiveAt),
		ExpireAt: latchkey.Millis(sess.ExpireAt), AbandonAt: optMillis(sess.AbandonAt),
		CreatedAt: latchkey.Millis(sess.CreatedAt), UpdatedAt: latchkey.Millis(sess.UpdatedAt),
	}
	if u != nil {
		out.User = newFrontendUser(u, now)
	}
	return out
}

// clientJSON renders the request's client, or nil when it has none.
func (s *Server) clientJSON(ctx context.Context, fc *frontendCtx) (*clientJSON, error) {
	c := fc.state.Client
	if c == nil {
		return nil, nil
	}
	now := time.Now()
	sessions, err := s.sessions.ActiveSessions(ctx, c)
	if err != nil {
		return nil, err
	}
	out := &clientJSON{Object: "client", ID: c.ID, Sessions: []sessionJSON{},
		LastActiveSessionID: optString(c.LastActiveSessionID),
		CreatedAt:           latchkey.Millis(c.CreatedAt), UpdatedAt: latchkey.Millis(c.UpdatedAt)}
	for _, sess := range sessions {
		u, err := s.store.UserByID(ctx, sess.UserID)
		if errors.Is(err, latchkey.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if err := s.withExternalAccounts(ctx, u); err != nil {
			return nil, err
		}
		out.Sessions = append(out.Sessions, newSessionJSON(sess, u, now))
	}
	if c.SignInID != "" {
		if out.SignIn, err = s.signInObject(ctx, c.SignInID); err != nil {
			return nil, err
		}
	}
	if c.SignUpID != "" {
		if out.SignUp, err = s.signUpObject(ctx, c.SignUpID); err != nil {
			return nil, err
		}
	}
	return out, nil
}
