package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/wire"
)

const sessionColumns = `id, client_id, user_id, status, first_factor_at, second_factor_at, last_active_at,
	expire_at, abandon_at, ip, user_agent, city, country, created_at, updated_at, ended_at`

// CreateSession inserts a session.
func (tx *Tx) CreateSession(ctx context.Context, s *latchkey.Session) error {
	if s.ID == "" {
		s.ID = latchkey.NewID(latchkey.PrefixSession)
	}
	s.CreatedAt, s.UpdatedAt = tx.now, tx.now
	if s.LastActiveAt.IsZero() {
		s.LastActiveAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.ClientID, s.UserID, s.Status, ms(s.FirstFactorAt), ms(s.SecondFactorAt), ms(s.LastActiveAt),
		ms(s.ExpireAt), ms(s.AbandonAt), s.IP, s.UserAgent, s.City, s.Country, ms(s.CreatedAt), ms(s.UpdatedAt), ms(s.EndedAt))
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return tx.addSessionEvent(ctx, latchkey.EventSessionCreated, s.ID)
}

// SessionByID returns the session, or latchkey.ErrNotFound.
func (s *Store) SessionByID(ctx context.Context, id string) (*latchkey.Session, error) {
	return scanSession(s.reader().queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id))
}

// SessionByID returns the session, or latchkey.ErrNotFound.
func (tx *Tx) SessionByID(ctx context.Context, id string) (*latchkey.Session, error) {
	return scanSession(tx.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id))
}

// SessionFilter selects sessions.
type SessionFilter struct {
	UserID   string
	ClientID string
	Status   string // empty: any
	Limit    int
	Offset   int
}

// Sessions returns the sessions matching f, most recently active first, and
// how many match in all.
func (s *Store) Sessions(ctx context.Context, f SessionFilter) ([]*latchkey.Session, int, error) {
	return sessions(ctx, s.reader(), f)
}

// Sessions is Store.Sessions inside the transaction.
func (tx *Tx) Sessions(ctx context.Context, f SessionFilter) ([]*latchkey.Session, int, error) {
	return sessions(ctx, tx.conn, f)
}

func sessions(ctx context.Context, c conn, f SessionFilter) ([]*latchkey.Session, int, error) {
	var conds []string
	var args []any
	for _, kv := range []struct{ col, v string }{{"user_id", f.UserID}, {"client_id", f.ClientID}, {"status", f.Status}} {
		if kv.v != "" {
			conds = append(conds, kv.col+" = ?")
			args = append(args, kv.v)
		}
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM sessions`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sessions: %w", err)
	}
	q := `SELECT ` + sessionColumns + ` FROM sessions` + where + ` ORDER BY last_active_at DESC, id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	return out, total, rows.Err()
}

// EndSession sets the status of an active session (ended, revoked, expired,
// removed). It reports whether the session was active.
func (tx *Tx) EndSession(ctx context.Context, id, status string) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE sessions SET status = ?, ended_at = ?, updated_at = ? WHERE id = ? AND status = 'active'`,
		status, ms(tx.now), ms(tx.now), id)
	if err != nil {
		return false, fmt.Errorf("end session: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	if typ, ok := sessionEndEvents[status]; ok {
		if err := tx.addSessionEvent(ctx, typ, id); err != nil {
			return false, err
		}
	}
	return true, nil
}

// sessionEndEvents names the event of each way a session ends. A session
// that merely expires (its lifetime or inactivity limit passed) is noticed
// lazily, so it has no event, as in Clerk.
var sessionEndEvents = map[string]string{
	latchkey.SessionEnded:   latchkey.EventSessionEnded,
	latchkey.SessionRevoked: latchkey.EventSessionRevoked,
	latchkey.SessionRemoved: latchkey.EventSessionRemoved,
}

// addSessionEvent writes a session.* event whose data is the session as the
// Backend API returns it, read back in the transaction after the change.
func (tx *Tx) addSessionEvent(ctx context.Context, typ, id string) error {
	sess, err := tx.SessionByID(ctx, id)
	if err != nil {
		return fmt.Errorf("%s event: %w", typ, err)
	}
	return tx.addEventJSON(ctx, typ, id, wire.NewSession(sess, tx.now))
}

// EndSessionsOf ends every active session of a user (userID set) or of a
// client (clientID set), except keep, and returns the IDs it ended.
func (tx *Tx) EndSessionsOf(ctx context.Context, userID, clientID, keep, status string) ([]string, error) {
	col, v := "user_id", userID
	if clientID != "" {
		col, v = "client_id", clientID
	}
	rows, err := tx.query(ctx, `SELECT id FROM sessions WHERE `+col+` = ? AND status = 'active' AND id <> ?`, v, keep)
	if err != nil {
		return nil, fmt.Errorf("find sessions to end: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if _, err := tx.EndSession(ctx, id, status); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// TouchSessions records activity of many sessions at once (token refreshes
// batch their activity, so a refresh does not write).
func (s *Store) TouchSessions(ctx context.Context, lastActive map[string]time.Time, inactivity time.Duration) error {
	if len(lastActive) == 0 {
		return nil
	}
	return s.withTx(ctx, func(tx *Tx) error {
		for id, at := range lastActive {
			abandon := int64(0)
			if inactivity > 0 {
				abandon = ms(at.Add(inactivity))
			}
			_, err := tx.exec(ctx, `UPDATE sessions SET last_active_at = ?,
				abandon_at = CASE WHEN abandon_at = 0 THEN abandon_at ELSE ? END
				WHERE id = ? AND status = 'active' AND last_active_at < ?`, ms(at), abandon, id, ms(at))
			if err != nil {
				return fmt.Errorf("touch session: %w", err)
			}
		}
		return nil
	})
}

func scanSession(row rowScanner) (*latchkey.Session, error) {
	var s latchkey.Session
	var ff, sf, active, expire, abandon, created, updated, ended int64
	err := row.Scan(&s.ID, &s.ClientID, &s.UserID, &s.Status, &ff, &sf, &active, &expire, &abandon, &s.IP,
		&s.UserAgent, &s.City, &s.Country, &created, &updated, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan session: %w", err)
	}
	s.FirstFactorAt, s.SecondFactorAt, s.LastActiveAt = fromMS(ff), fromMS(sf), fromMS(active)
	s.ExpireAt, s.AbandonAt, s.CreatedAt, s.UpdatedAt, s.EndedAt = fromMS(expire), fromMS(abandon), fromMS(created), fromMS(updated), fromMS(ended)
	return &s, nil
}

// SessionWithUser returns a session and its user in one query, without the
// user's identifiers: the token refresh path, which must read both on every
// call (so revocation and bans take effect at once) and nothing more.
func (s *Store) SessionWithUser(ctx context.Context, id string) (*latchkey.Session, *latchkey.User, error) {
	cols := "s." + strings.ReplaceAll(sessionColumns, ", ", ", s.")
	ucols := "u." + strings.ReplaceAll(strings.Join(strings.Fields(userColumns), " "), ", ", ", u.")
	row := s.reader().queryRow(ctx, `SELECT `+cols+`, `+ucols+` FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id)
	var sess latchkey.Session
	var ff, sf, active, expire, abandon, created, updated, ended int64
	var u latchkey.User
	var pwUpdated, lockout, ucreated, uupdated, lastSignIn int64
	var pub, priv, unsafe string
	err := row.Scan(&sess.ID, &sess.ClientID, &sess.UserID, &sess.Status, &ff, &sf, &active, &expire, &abandon, &sess.IP,
		&sess.UserAgent, &sess.City, &sess.Country, &created, &updated, &ended,
		&u.ID, &u.ExternalID, &u.FirstName, &u.LastName, &u.ImageURL, &u.PrimaryEmailAddressID,
		&u.PrimaryPhoneNumberID, &u.PasswordHash, &pwUpdated, &pub, &priv, &unsafe, &u.Banned, &u.Locked,
		&lockout, &u.Version, &ucreated, &uupdated, &lastSignIn, &u.FailedSignIns)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, nil, fmt.Errorf("session with user: %w", err)
	}
	sess.FirstFactorAt, sess.SecondFactorAt, sess.LastActiveAt = fromMS(ff), fromMS(sf), fromMS(active)
	sess.ExpireAt, sess.AbandonAt, sess.CreatedAt, sess.UpdatedAt, sess.EndedAt = fromMS(expire), fromMS(abandon), fromMS(created), fromMS(updated), fromMS(ended)
	u.PublicMetadata, u.PrivateMetadata, u.UnsafeMetadata = json.RawMessage(pub), json.RawMessage(priv), json.RawMessage(unsafe)
	u.PasswordUpdatedAt, u.LockoutExpiresAt = fromMS(pwUpdated), fromMS(lockout)
	u.CreatedAt, u.UpdatedAt, u.LastSignInAt = fromMS(ucreated), fromMS(uupdated), fromMS(lastSignIn)
	return &sess, &u, nil
}

// AttachIdentifiers loads the identifiers of a user read without them.
func (s *Store) AttachIdentifiers(ctx context.Context, u *latchkey.User) error {
	return attachIdentifiers(ctx, s.reader(), []*latchkey.User{u})
}
