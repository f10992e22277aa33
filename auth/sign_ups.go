package auth

import (
	"log/slog"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// SignUps runs sign-up attempts: the resumable state machine that collects
// the fields the instance requires, verifies the email address and completes
// into a user and a session.
type SignUps struct {
	store     *sqlstore.Store
	sessions  *Sessions
	users     *Users
	mailer    Mailer
	limiter   *Limiter
	settings  func() *latchkey.Settings
	publicURL string
	log       *slog.Logger
	now       func() time.Time
	box       *seal.Box // set by NewSocial: external accounts are created as sign-ups complete
}

// NewSignUps returns the sign-up service.
func NewSignUps(store *sqlstore.Store, sessions *Sessions, users *Users, mailer Mailer, limiter *Limiter,
	settings func() *latchkey.Settings, publicURL string, log *slog.Logger) *SignUps {
	return &SignUps{store: store, sessions: sessions, users: users, mailer: mailer, limiter: limiter,
		settings: settings, publicURL: publicURL, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SignUpLifetime is how long a sign-up attempt may take, from its start;
// after that it is abandoned and answers attempt_expired.
const SignUpLifetime = 24 * time.Hour

// SetClock replaces the clock (sign-up and code expiry); tests use it.
func (s *SignUps) SetClock(now func() time.Time) { s.now = now }
