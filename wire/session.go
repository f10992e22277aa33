package wire

import (
	"time"

	"github.com/latchkeyhq/latchkey"
)

// Session is a session as the Backend API returns it.
type Session struct {
	Object       string `json:"object"`
	ID           string `json:"id"`
	UserID       string `json:"user_id"`
	ClientID     string `json:"client_id"`
	Status       string `json:"status"`
	IPAddress    string `json:"ip_address"`
	UserAgent    string `json:"user_agent"`
	LastActiveAt int64  `json:"last_active_at"`
	ExpireAt     int64  `json:"expire_at"`
	AbandonAt    *int64 `json:"abandon_at"`
	EndedAt      *int64 `json:"ended_at"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

func NewSession(s *latchkey.Session, now time.Time) Session {
	status := s.Status
	if status == latchkey.SessionActive && !s.ActiveAt(now) {
		status = latchkey.SessionExpired
	}
	return Session{
		Object: "session", ID: s.ID, UserID: s.UserID, ClientID: s.ClientID, Status: status, IPAddress: s.IP,
		UserAgent: s.UserAgent, LastActiveAt: latchkey.Millis(s.LastActiveAt), ExpireAt: latchkey.Millis(s.ExpireAt),
		AbandonAt: OptMillis(s.AbandonAt), EndedAt: OptMillis(s.EndedAt),
		CreatedAt: latchkey.Millis(s.CreatedAt), UpdatedAt: latchkey.Millis(s.UpdatedAt),
	}
}
