package auth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Me lets a signed-in person manage their own account (the Frontend API's
// /v1/me): profile, email addresses, password, deleting the account. Every
// method acts on the user of the caller's active session; the caller has
// already checked that the session is active.
//
// Security properties:
//   - A person only ever sees or changes their own user: identifiers are
//     looked up within that user, so another user's identifier ID is "not
//     found", exactly like an ID that does not exist.
//   - Changing the password requires the current one when there is one.
//     Wrong guesses count towards the user's lockout like failed sign-ins
//     (a stolen session cannot be used to guess the password without
//     limit), a locked user cannot try, and by default every other session
//     of the user ends before the new password is stored.
//   - Email verification codes are single-use even under concurrent
//     attempts, expire, allow a few attempts, and are rate-limited per IP
//     and per address, like sign-in and sign-up codes.
//   - A person cannot remove their primary email address, the last
//     verified identifier they can sign in with, or an identifier the
//     instance requires; an unverified address can never become primary.
type Me struct {
	store    *sqlstore.Store
	sessions *Sessions
	users    *Users
	mailer   Mailer
	limiter  *Limiter
	settings func() *latchkey.Settings
	log      *slog.Logger
	now      func() time.Time
}

// NewMe returns the account self-service.
func NewMe(store *sqlstore.Store, sessions *Sessions, users *Users, mailer Mailer, limiter *Limiter,
	settings func() *latchkey.Settings, log *slog.Logger) *Me {
	return &Me{store: store, sessions: sessions, users: users, mailer: mailer, limiter: limiter,
		settings: settings, log: log, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock that decides lockouts; tests use it. (Codes
// expire by the store's clock.)
func (m *Me) SetClock(now func() time.Time) { m.now = now }

// User returns the signed-in user.
func (m *Me) User(ctx context.Context, userID string) (*latchkey.User, error) {
	return m.store.UserByID(ctx, userID)
}

// ProfileParams are the fields of PATCH /v1/me. A nil field is left alone;
// an empty name or username removes it. Unsafe metadata replaces the old
// one whole.
type ProfileParams struct {
	FirstName      *string          `json:"first_name"`
	LastName       *string          `json:"last_name"`
	Username       *string          `json:"username"`
	UnsafeMetadata *json.RawMessage `json:"unsafe_metadata"`
}

// UpdateProfile applies p to the user, under the instance's rules for names
// and usernames.
func (m *Me) UpdateProfile(ctx context.Context, userID string, p ProfileParams) (*latchkey.User, error) {
	set := m.settings()
	names := map[string]*string{}
	for _, f := range []struct {
		param string
		v     *string
	}{{"first_name", p.FirstName}, {"last_name", p.LastName}} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		switch {
		case v != "" && !set.Name.Enabled:
			return nil, latchkey.Errorf(latchkey.CodeFormParamValue, f.param, "Names are not collected by this application.")
		case v == "" && set.Name.Enabled && set.Name.Required:
			return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, f.param, "This application requires a %s; it cannot be removed.", strings.ReplaceAll(f.param, "_", " "))
		}
		names[f.param] = &v
	}
	if err := checkProfile(deref(names["first_name"]), deref(names["last_name"]), ""); err != nil {
		return nil, err
	}
	var unsafe json.RawMessage
	if p.UnsafeMetadata != nil {
		var err error
		if unsafe, err = checkMetadata("unsafe_metadata", *p.UnsafeMetadata); err != nil {
			return nil, err
		}
	}
	var username []*latchkey.Identifier
	if p.Username != nil && strings.TrimSpace(*p.Username) != "" {
		var err error
		username, err = newIdentifiers(latchkey.IdentifierUsername, []string{*p.Username}, set.Username.IdentifierSettings, set)
		if err != nil {
			return nil, err
		}
		// Chosen by the person, not set by an operator.
		username[0].Verification.Strategy = ""
	}
	if len(names) == 0 && unsafe == nil && p.Username == nil {
		return m.store.UserByID(ctx, userID) // nothing to change: no new version
	}
	return m.store.UpdateUser(ctx, userID, func(u *latchkey.User) error {
		if v := names["first_name"]; v != nil {
			u.FirstName = *v
		}
		if v := names["last_name"]; v != nil {
			u.LastName = *v
		}
		if unsafe != nil {
			u.UnsafeMetadata = unsafe
		}
		if p.Username == nil {
			return nil
		}
		// Removing the username must leave a verified way to sign in
		// (setUsername alone only counts identifiers, verified or not).
		if old := u.UsernameIdentifier(); len(username) == 0 && old != nil && !set.Username.Required &&
			meSignInWith(set, old.Type) && !meHasVerified(without(u.Identifiers, old), func(t latchkey.IdentifierType) bool { return meSignInWith(set, t) }) {
			return latchkey.Errorf(latchkey.CodeLastIdentifier, "username", "Your username is the last verified identifier you can sign in with; add and verify an email address first.")
		}
		return setUsername(u, username, set)
	})
}

// DeleteSelf deletes the signed-in user, when the instance allows it, and
// signs the client out of the deleted user's session: the credential
// rotates and the client points at another active session if it has one
// (multi-session mode), so the client itself stays. Every session of the
// user, on every device, goes with the user.
func (m *Me) DeleteSelf(ctx context.Context, st *ClientState, sess *latchkey.Session, req RequestInfo) error {
	if !m.settings().User.DeleteSelfEnabled {
		return latchkey.Errorf(latchkey.CodeDeleteSelfDisabled, "", "This application does not let people delete their own account; ask its support to delete it.")
	}
	if err := m.store.DeleteUser(ctx, sess.UserID); err != nil {
		return err
	}
	// The user is gone (and its sessions with it, by cascade); what is left
	// is to sign this client out and say so in the audit log.
	return m.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if err := tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "user.deleted", UserID: sess.UserID,
			ClientID: sess.ClientID, SessionID: sess.ID, IP: req.IP, Data: map[string]any{"by": "self"}}); err != nil {
			return err
		}
		return m.sessions.afterSignOut(ctx, tx, st, []string{sess.ID}, sess.UserID, req)
	})
}

// audit records an event on its own. The change it describes is already
// committed, so a failure is logged rather than reported to the person.
func (m *Me) audit(ctx context.Context, e *sqlstore.AuditEvent) {
	if err := m.store.AddAudit(ctx, e); err != nil {
		m.log.Error("add audit event", "type", e.Type, "user_id", e.UserID, "err", err)
	}
}

// meWithParam returns err with its parameter renamed, when it is a
// *latchkey.Error naming one (the password rules say "password"; this
// API's fields are current_password and new_password).
func meWithParam(err error, param string) error {
	var e *latchkey.Error
	if !errors.As(err, &e) || e.Param == "" {
		return err
	}
	c := *e
	c.Param = param
	return &c
}
