package auth

import (
	"log/slog"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// SignIns runs sign-in attempts: the resumable state machine from an
// identifier through the first factor (and, later, a second) to a session.
//
// Security properties, for every path that ends in a session (password,
// email code, email link, password reset, sign-in token):
//   - Enumeration safety: with the instance's enumeration protection on, an
//     unknown identifier gets the same statuses, factors, errors and timing
//     as a known one (a dummy password hash is checked, codes are "sent"
//     to nobody and can never match, and lockout is simulated), and mail is
//     sent in the background so its latency reveals nothing.
//   - Lockout: failed passwords and wrong codes count towards the user's
//     lockout atomically in the database; a locked user is refused every
//     factor, even a correct one, until the lockout expires or an operator
//     unlocks them.
//   - Codes and links are single-use even under concurrent attempts, and a
//     sign-in completes at most once: completion runs in one transaction
//     that re-reads (and on PostgreSQL locks) the sign-in.
//   - Completion rotates the client credential (session fixation).
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
	box       *seal.Box // set by NewSocial: the social step of a sign-in is read with it

	mail sync.WaitGroup // mail being sent in the background
}

// NewSignIns returns the sign-in service. publicURL is where magic links
// point (publicURL + "/v1/verify?token=...").
func NewSignIns(store *sqlstore.Store, sessions *Sessions, users *Users, mailer Mailer, limiter *Limiter,
	settings func() *latchkey.Settings, publicURL string, log *slog.Logger) *SignIns {
	return &SignIns{store: store, sessions: sessions, users: users, mailer: mailer, limiter: limiter,
		settings: settings, publicURL: publicURL, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock that decides lockouts and attempt expiry;
// tests use it. (Codes and links expire by the store's clock.)
func (s *SignIns) SetClock(now func() time.Time) { s.now = now }

// SignInLifetime is how long a sign-in attempt can be continued.
const SignInLifetime = 30 * time.Minute
