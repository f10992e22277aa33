package auth

import (
	"log/slog"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// SignIns runs sign-in attempts: the resumable state machine from an
// identifier through the first factor (and, later, a second) to a session.
type SignIns struct {
	store     *sqlstore.Store
	sessions  *Sessions
	users     *Users
	mailer    Mailer
	limiter   *Limiter
	settings  func() *latchkey.Settings
	publicURL string
	log       *slog.Logger
	now       func() time.Time
}

// NewSignIns returns the sign-in service. publicURL is where magic links
// point (publicURL + "/v1/verify?token=...").
func NewSignIns(store *sqlstore.Store, sessions *Sessions, users *Users, mailer Mailer, limiter *Limiter,
	settings func() *latchkey.Settings, publicURL string, log *slog.Logger) *SignIns {
	return &SignIns{store: store, sessions: sessions, users: users, mailer: mailer, limiter: limiter,
		settings: settings, publicURL: publicURL, log: log, now: func() time.Time { return time.Now().UTC() }}
}
