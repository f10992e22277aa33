package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/token"
)

// RequestInfo describes the request acting on a client, for sessions'
// device lists and the audit log.
type RequestInfo struct {
	IP        string
	UserAgent string
	Origin    string // the browser Origin, becomes the token's azp
	City      string
	Country   string
}

// Sessions owns clients, sessions and session tokens.
type Sessions struct {
	store    *sqlstore.Store
	keys     *token.Keyring
	settings func() *latchkey.Settings
	issuer   string
	log      *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	activity map[string]time.Time // session ID -> last activity not yet written
}

// NewSessions returns the session service. issuer is the public URL that
// becomes the tokens' iss.
func NewSessions(store *sqlstore.Store, keys *token.Keyring, settings func() *latchkey.Settings, issuer string, log *slog.Logger) *Sessions {
	return &Sessions{store: store, keys: keys, settings: settings, issuer: issuer, log: log,
		now: func() time.Time { return time.Now().UTC() }, activity: map[string]time.Time{}}
}

// SetClock replaces the clock; tests use it.
func (s *Sessions) SetClock(now func() time.Time) { s.now = now }

// Issuer returns the iss of the tokens this service mints.
func (s *Sessions) Issuer() string { return s.issuer }

// startSession creates a session for user on the client in tx: it rotates
// the client credential (session fixation, ASVS 5.0 V7.2.4), makes the new
// session the client's active one, and in single-session mode ends the
// client's other sessions. firstFactorAt is when the first factor was
// verified.
func (s *Sessions) startSession(ctx context.Context, tx *sqlstore.Tx, st *ClientState, user *latchkey.User, firstFactorAt time.Time, req RequestInfo) (*latchkey.Session, error) {
	set := s.settings()
	now := tx.Now()
	if !set.Session.MultiSession {
		if _, err := tx.EndSessionsOf(ctx, "", st.Client.ID, "", latchkey.SessionEnded); err != nil {
			return nil, err
		}
	}
	sess := &latchkey.Session{
		ClientID: st.Client.ID, UserID: user.ID, Status: latchkey.SessionActive,
		FirstFactorAt: firstFactorAt, LastActiveAt: now,
		ExpireAt: now.Add(time.Duration(set.Session.LifetimeSeconds) * time.Second),
		IP:       req.IP, UserAgent: truncateString(req.UserAgent, 512), City: req.City, Country: req.Country,
	}
	if set.Session.InactivityTimeoutSeconds > 0 {
		sess.AbandonAt = now.Add(time.Duration(set.Session.InactivityTimeoutSeconds) * time.Second)
	}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	s.rotate(st)
	st.Client.LastActiveSessionID = sess.ID
	if err := tx.UpdateClient(ctx, st.Client); err != nil {
		return nil, err
	}
	if err := tx.ResetFailedSignIns(ctx, user.ID); err != nil {
		return nil, err
	}
	err := tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "session.created", UserID: user.ID, ClientID: st.Client.ID,
		SessionID: sess.ID, IP: req.IP, Data: map[string]any{"user_agent": sess.UserAgent}})
	return sess, err
}

// ErrSessionNotActive is returned for a session that cannot mint tokens.
var ErrSessionNotActive = latchkey.NewError(latchkey.CodeSessionNotActive, "")

// clientSession returns the session if it belongs to the client.
func (s *Sessions) clientSession(ctx context.Context, c *latchkey.Client, sessionID string) (*latchkey.Session, error) {
	if c == nil {
		return nil, latchkey.NewError(latchkey.CodeSignedOut, "")
	}
	sess, err := s.store.SessionByID(ctx, sessionID)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && sess.ClientID != c.ID) {
		// Also what a device sees after its user was deleted (the session
		// went with the user): the session is over, whatever the reason.
		return nil, latchkey.Errorf(latchkey.CodeSessionNotActive, "session_id", "This browser has no active session %q.", truncateString(sessionID, 60))
	}
	return sess, err
}

// Token mints a session token for a session of the client. It reads the
// session and the user (so a revoked session or a banned user stops
// refreshing at once) and writes nothing: activity is batched.
func (s *Sessions) Token(ctx context.Context, c *latchkey.Client, sessionID string, req RequestInfo) (string, time.Time, error) {
	if c == nil {
		return "", time.Time{}, latchkey.NewError(latchkey.CodeSignedOut, "")
	}
	// The hot path: one query reads the session and its user, so a
	// revocation, a ban or a deletion (the session goes with its user) takes
	// effect on the very next refresh.
	sess, user, err := s.store.SessionWithUser(ctx, sessionID)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && sess.ClientID != c.ID) {
		return "", time.Time{}, latchkey.Errorf(latchkey.CodeSessionNotActive, "session_id", "This browser has no active session %q.", truncateString(sessionID, 60))
	} else if err != nil {
		return "", time.Time{}, err
	}
	return s.mintFor(ctx, sess, user, req.Origin)
}

// MintForSession mints a token for any active session (the Backend API's
// server-side flows).
func (s *Sessions) MintForSession(ctx context.Context, sessionID string) (string, time.Time, error) {
	sess, err := s.store.SessionByID(ctx, sessionID)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.mint(ctx, sess, "")
}

func (s *Sessions) mint(ctx context.Context, sess *latchkey.Session, azp string) (string, time.Time, error) {
	user, err := s.store.UserByID(ctx, sess.UserID)
	if errors.Is(err, latchkey.ErrNotFound) {
		// The user was deleted after the session was read: the session is
		// gone with them.
		return "", time.Time{}, ErrSessionNotActive
	} else if err != nil {
		return "", time.Time{}, err
	}
	return s.mintFor(ctx, sess, user, azp)
}

// mintFor mints a token for a session and its user. The user's identifiers
// are loaded only when the claims template may need them.
func (s *Sessions) mintFor(ctx context.Context, sess *latchkey.Session, user *latchkey.User, azp string) (string, time.Time, error) {
	now := s.now()
	if !sess.ActiveAt(now) {
		if sess.Status == latchkey.SessionActive {
			s.expire(ctx, sess)
		}
		return "", time.Time{}, ErrSessionNotActive
	}
	set := s.settings()
	if len(set.Session.Claims) > 0 && user.Identifiers == nil {
		if err := s.store.AttachIdentifiers(ctx, user); err != nil {
			return "", time.Time{}, err
		}
	}
	if user.Banned {
		return "", time.Time{}, ErrSessionNotActive
	}
	fva2 := -1
	if !sess.SecondFactorAt.IsZero() {
		fva2 = int(now.Sub(sess.SecondFactorAt) / time.Minute)
	}
	jwt, exp, err := s.keys.Sign(ctx, token.SessionClaims{
		Issuer: s.issuer, UserID: user.ID, SessionID: sess.ID, AuthorizedParty: azp, IssuedAt: now,
		Lifetime:       time.Duration(set.Session.TokenLifetimeSeconds) * time.Second,
		FirstFactorAge: int(now.Sub(sess.FirstFactorAt) / time.Minute), SecondFactorAge: fva2,
		Custom: renderClaims(set.Session.Claims, user),
	})
	if err != nil {
		return "", time.Time{}, err
	}
	s.noteActivity(sess.ID, now)
	return jwt, exp, nil
}

// expire marks a session whose lifetime or inactivity timeout passed.
func (s *Sessions) expire(ctx context.Context, sess *latchkey.Session) {
	err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		_, err := tx.EndSession(ctx, sess.ID, latchkey.SessionExpired)
		return err
	})
	if err != nil {
		s.log.Warn("expire session", "session_id", sess.ID, "err", err)
	}
}

// Touch records activity now (the browser reports the person is active).
func (s *Sessions) Touch(ctx context.Context, c *latchkey.Client, sessionID string) (*latchkey.Session, error) {
	sess, err := s.clientSession(ctx, c, sessionID)
	if err != nil {
		return nil, err
	}
	if !sess.ActiveAt(s.now()) {
		return nil, ErrSessionNotActive
	}
	s.noteActivity(sess.ID, s.now())
	sess.LastActiveAt = s.now()
	return sess, nil
}

func (s *Sessions) noteActivity(id string, at time.Time) {
	s.mu.Lock()
	if at.After(s.activity[id]) {
		s.activity[id] = at
	}
	s.mu.Unlock()
}

// FlushActivity writes the batched activity; RunActivity calls it
// periodically and the server calls it once at shutdown.
func (s *Sessions) FlushActivity(ctx context.Context) error {
	s.mu.Lock()
	batch := s.activity
	s.activity = make(map[string]time.Time, len(batch))
	s.mu.Unlock()
	inactivity := time.Duration(s.settings().Session.InactivityTimeoutSeconds) * time.Second
	if err := s.store.TouchSessions(ctx, batch, inactivity); err != nil {
		// Keep the batch for the next flush: activity must not be lost to a
		// passing database error (it drives the inactivity timeout).
		for id, at := range batch {
			s.noteActivity(id, at)
		}
		return err
	}
	return nil
}

// RunActivity flushes activity every interval until ctx ends, then once more.
func (s *Sessions) RunActivity(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.FlushActivity(context.Background()); err != nil {
				s.log.Error("flush session activity", "err", err)
			}
			return
		case <-t.C:
			if err := s.FlushActivity(ctx); err != nil {
				s.log.Warn("flush session activity", "err", err)
			}
		}
	}
}

// End signs a session out (the person pressed "sign out"), rotating the
// client credential.
func (s *Sessions) End(ctx context.Context, st *ClientState, sessionID string, req RequestInfo) (*latchkey.Session, error) {
	sess, err := s.clientSession(ctx, st.Client, sessionID)
	if err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if _, err := tx.EndSession(ctx, sess.ID, latchkey.SessionEnded); err != nil {
			return err
		}
		return s.afterSignOut(ctx, tx, st, []string{sess.ID}, sess.UserID, req)
	})
	if err != nil {
		return nil, err
	}
	return s.store.SessionByID(ctx, sess.ID)
}

// SignOutClient ends every session of the client (DELETE /v1/client).
func (s *Sessions) SignOutClient(ctx context.Context, st *ClientState, req RequestInfo) error {
	if st.Client == nil {
		return nil
	}
	return s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		ended, err := tx.EndSessionsOf(ctx, "", st.Client.ID, "", latchkey.SessionEnded)
		if err != nil {
			return err
		}
		return s.afterSignOut(ctx, tx, st, ended, "", req)
	})
}

// afterSignOut rotates the credential, points the client at a remaining
// usable session if any (the current one when it is still usable, so
// signing out of another account does not switch accounts), and audits.
func (s *Sessions) afterSignOut(ctx context.Context, tx *sqlstore.Tx, st *ClientState, ended []string, userID string, req RequestInfo) error {
	c, err := tx.ClientByID(ctx, st.Client.ID)
	if err != nil {
		return err
	}
	st.Client = c
	remaining, _, err := tx.Sessions(ctx, sqlstore.SessionFilter{ClientID: c.ID, Status: latchkey.SessionActive})
	if err != nil {
		return err
	}
	// A session whose lifetime or inactivity timeout passed still says
	// active until something marks it expired; it cannot mint the token
	// the response's cookies need.
	now := s.now()
	current := ""
	for _, sess := range remaining {
		if !sess.ActiveAt(now) {
			continue
		}
		if current == "" || sess.ID == c.LastActiveSessionID {
			current = sess.ID
		}
	}
	c.LastActiveSessionID = current
	s.rotate(st)
	if err := tx.UpdateClient(ctx, c); err != nil {
		return err
	}
	return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "session.ended", UserID: userID, ClientID: c.ID, IP: req.IP,
		Data: map[string]any{"sessions": ended}})
}

// SetActive switches the client's active session (multi-session mode).
func (s *Sessions) SetActive(ctx context.Context, st *ClientState, sessionID string) error {
	sess, err := s.clientSession(ctx, st.Client, sessionID)
	if err != nil {
		return err
	}
	if !sess.ActiveAt(s.now()) {
		return ErrSessionNotActive
	}
	return s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		c, err := tx.ClientByID(ctx, st.Client.ID)
		if err != nil {
			return err
		}
		c.LastActiveSessionID = sess.ID
		st.Client = c
		return tx.UpdateClient(ctx, c)
	})
}

// Revoke ends one of the user's sessions on any device (the "devices" list,
// or an admin). byUserID, when set, must own the session.
func (s *Sessions) Revoke(ctx context.Context, sessionID, byUserID string, req RequestInfo) (*latchkey.Session, error) {
	sess, err := s.store.SessionByID(ctx, sessionID)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && byUserID != "" && sess.UserID != byUserID) {
		return nil, latchkey.Errorf(latchkey.CodeResourceNotFound, "session_id", "No session %q.", truncateString(sessionID, 60))
	} else if err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		ok, err := tx.EndSession(ctx, sess.ID, latchkey.SessionRevoked)
		if err != nil || !ok {
			return err
		}
		// In multi-session mode the browser keeps its other accounts: point
		// it at the most recently active one that is still usable.
		c, err := tx.ClientByID(ctx, sess.ClientID)
		if err != nil {
			return err
		}
		if c.LastActiveSessionID == sess.ID {
			others, _, err := tx.Sessions(ctx, sqlstore.SessionFilter{ClientID: c.ID, Status: latchkey.SessionActive})
			if err != nil {
				return err
			}
			c.LastActiveSessionID = ""
			for _, o := range others {
				if o.ActiveAt(s.now()) {
					c.LastActiveSessionID = o.ID
					break
				}
			}
			if err := tx.UpdateClient(ctx, c); err != nil {
				return err
			}
		}
		return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "session.revoked", UserID: sess.UserID, SessionID: sess.ID,
			ClientID: sess.ClientID, IP: req.IP})
	})
	if err != nil {
		return nil, fmt.Errorf("revoke session: %w", err)
	}
	return s.store.SessionByID(ctx, sess.ID)
}

// ActiveSessions returns the client's active sessions, newest activity first.
func (s *Sessions) ActiveSessions(ctx context.Context, c *latchkey.Client) ([]*latchkey.Session, error) {
	if c == nil {
		return nil, nil
	}
	all, _, err := s.store.Sessions(ctx, sqlstore.SessionFilter{ClientID: c.ID, Status: latchkey.SessionActive})
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := all[:0]
	for _, sess := range all {
		if sess.ActiveAt(now) {
			out = append(out, sess)
		}
	}
	return out, nil
}

func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
