package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/wire"
)

const userColumns = `id, external_id, first_name, last_name, image_url, primary_email_address_id,
	primary_phone_number_id, password_hash, password_updated_at, public_metadata, private_metadata,
	unsafe_metadata, banned, locked, lockout_expires_at, version, created_at, updated_at, last_sign_in_at,
	failed_sign_ins`

// CreateUser inserts u and its identifiers. It sets u's ID, timestamps and
// version, and the IDs of identifiers that have none. A taken identifier or
// external ID is a *latchkey.Error with code form_identifier_exists.
func (s *Store) CreateUser(ctx context.Context, u *latchkey.User) error {
	return s.withTx(ctx, func(tx *Tx) error { return createUser(ctx, tx, u) })
}

func createUser(ctx context.Context, tx *Tx, u *latchkey.User) error {
	if u.ID == "" {
		u.ID = latchkey.NewID(latchkey.PrefixUser)
	}
	u.CreatedAt, u.UpdatedAt, u.Version = tx.now, tx.now, 1
	for _, m := range []*json.RawMessage{&u.PublicMetadata, &u.PrivateMetadata, &u.UnsafeMetadata} {
		if len(*m) == 0 {
			*m = json.RawMessage("{}")
		}
	}
	if u.PasswordHash != "" && u.PasswordUpdatedAt.IsZero() {
		u.PasswordUpdatedAt = tx.now
	}
	_, err := tx.exec(ctx, `INSERT INTO users (`+userColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, userArgs(u)...)
	if err != nil {
		return mapWriteError("create user", err)
	}
	for _, id := range u.Identifiers {
		id.UserID = u.ID
		if err := insertIdentifier(ctx, tx, id); err != nil {
			return err
		}
	}
	return tx.addUserEvent(ctx, latchkey.EventUserCreated, u.ID)
}

func userArgs(u *latchkey.User) []any {
	return []any{u.ID, u.ExternalID, u.FirstName, u.LastName, u.ImageURL, u.PrimaryEmailAddressID,
		u.PrimaryPhoneNumberID, u.PasswordHash, ms(u.PasswordUpdatedAt), metadataText(u.PublicMetadata),
		metadataText(u.PrivateMetadata), metadataText(u.UnsafeMetadata), u.Banned, u.Locked,
		ms(u.LockoutExpiresAt), u.Version, ms(u.CreatedAt), ms(u.UpdatedAt), ms(u.LastSignInAt), u.FailedSignIns}
}

func metadataText(m json.RawMessage) string {
	if len(m) == 0 {
		return "{}"
	}
	return string(m)
}

// UserByID returns the user with the given ID, or latchkey.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (*latchkey.User, error) {
	return userByID(ctx, s.reader(), id)
}

func userByID(ctx context.Context, c conn, id string) (*latchkey.User, error) {
	u, err := scanUser(c.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", id, err)
	}
	if err := attachIdentifiers(ctx, c, []*latchkey.User{u}); err != nil {
		return nil, err
	}
	return u, nil
}

// UserByIdentifier returns the user owning the identifier of type t whose
// normalized form is normalized, or latchkey.ErrNotFound.
func (s *Store) UserByIdentifier(ctx context.Context, t latchkey.IdentifierType, normalized string) (*latchkey.User, error) {
	var id string
	err := s.reader().queryRow(ctx, `SELECT user_id FROM identifiers WHERE type = ? AND normalized = ?`, string(t), normalized).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user by %s: %w", t, latchkey.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("user by %s: %w", t, err)
	}
	return s.UserByID(ctx, id)
}

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(row rowScanner) (*latchkey.User, error) {
	var u latchkey.User
	var pwUpdated, lockout, created, updated, lastSignIn int64
	var pub, priv, unsafe string
	err := row.Scan(&u.ID, &u.ExternalID, &u.FirstName, &u.LastName, &u.ImageURL, &u.PrimaryEmailAddressID,
		&u.PrimaryPhoneNumberID, &u.PasswordHash, &pwUpdated, &pub, &priv, &unsafe, &u.Banned, &u.Locked,
		&lockout, &u.Version, &created, &updated, &lastSignIn, &u.FailedSignIns)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan user: %w", err)
	}
	u.PublicMetadata, u.PrivateMetadata, u.UnsafeMetadata = json.RawMessage(pub), json.RawMessage(priv), json.RawMessage(unsafe)
	u.PasswordUpdatedAt, u.LockoutExpiresAt = fromMS(pwUpdated), fromMS(lockout)
	u.CreatedAt, u.UpdatedAt, u.LastSignInAt = fromMS(created), fromMS(updated), fromMS(lastSignIn)
	return &u, nil
}

// UpdateUser loads the user in a write transaction, lets fn change it (its
// fields and its Identifiers: add, remove or change entries), and saves the
// result, increasing its version. fn's error aborts the update and is returned
// as is. It returns the saved user.
func (s *Store) UpdateUser(ctx context.Context, id string, fn func(u *latchkey.User) error) (*latchkey.User, error) {
	var out *latchkey.User
	err := s.withTx(ctx, func(tx *Tx) error {
		if s.engine == postgres {
			// Lock the row so concurrent updates queue instead of each
			// overwriting the other's change (SQLite has one writer).
			if _, err := tx.exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, id); err != nil {
				return fmt.Errorf("lock user: %w", err)
			}
		}
		u, err := userByID(ctx, tx.conn, id)
		if err != nil {
			return err
		}
		before := make(map[string]latchkey.Identifier, len(u.Identifiers))
		for _, idn := range u.Identifiers {
			before[idn.ID] = *idn
		}
		if err := fn(u); err != nil {
			return err
		}
		if err := saveIdentifiers(ctx, tx, u, before); err != nil {
			return err
		}
		u.Version++
		u.UpdatedAt = tx.now
		_, err = tx.exec(ctx, `UPDATE users SET external_id = ?, first_name = ?, last_name = ?, image_url = ?,
			primary_email_address_id = ?, primary_phone_number_id = ?, password_hash = ?, password_updated_at = ?,
			public_metadata = ?, private_metadata = ?, unsafe_metadata = ?, banned = ?, locked = ?,
			lockout_expires_at = ?, version = ?, updated_at = ?, last_sign_in_at = ?, failed_sign_ins = ? WHERE id = ?`,
			u.ExternalID, u.FirstName, u.LastName, u.ImageURL, u.PrimaryEmailAddressID, u.PrimaryPhoneNumberID,
			u.PasswordHash, ms(u.PasswordUpdatedAt), metadataText(u.PublicMetadata), metadataText(u.PrivateMetadata),
			metadataText(u.UnsafeMetadata), u.Banned, u.Locked, ms(u.LockoutExpiresAt), u.Version, ms(u.UpdatedAt),
			ms(u.LastSignInAt), u.FailedSignIns, u.ID)
		if err != nil {
			return mapWriteError("update user", err)
		}
		out = u
		return tx.addUserEvent(ctx, latchkey.EventUserUpdated, u.ID)
	})
	return out, err
}

// saveIdentifiers writes the difference between before and u.Identifiers.
// Deletes run first so a value can move between entries in one update.
func saveIdentifiers(ctx context.Context, tx *Tx, u *latchkey.User, before map[string]latchkey.Identifier) error {
	keep := make(map[string]bool, len(u.Identifiers))
	for _, idn := range u.Identifiers {
		if idn.ID != "" {
			keep[idn.ID] = true
		}
	}
	for id := range before {
		if !keep[id] {
			if _, err := tx.exec(ctx, `DELETE FROM identifiers WHERE id = ?`, id); err != nil {
				return fmt.Errorf("delete identifier: %w", err)
			}
		}
	}
	for _, idn := range u.Identifiers {
		old, existed := before[idn.ID]
		switch {
		case !existed:
			idn.UserID = u.ID
			idn.ID = ""
			if err := insertIdentifier(ctx, tx, idn); err != nil {
				return err
			}
		case old.Value != idn.Value || old.Normalized != idn.Normalized || old.Verification != idn.Verification:
			idn.UpdatedAt = tx.now
			_, err := tx.exec(ctx, `UPDATE identifiers SET value = ?, normalized = ?, verification_status = ?,
				verification_strategy = ?, verified_at = ?, updated_at = ? WHERE id = ?`,
				idn.Value, idn.Normalized, idn.Verification.Status, idn.Verification.Strategy,
				ms(idn.Verification.VerifiedAt), ms(idn.UpdatedAt), idn.ID)
			if err != nil {
				return identifierWriteError("update identifier", idn, err)
			}
		}
	}
	return nil
}

// DeleteUser deletes the user and, by cascade, its identifiers, external
// accounts and sessions. It writes session.removed for each session the
// cascade takes that had not ended (its stored status still active, which
// includes one that expired unnoticed: expiry has no event, so a consumer
// still holds it as active), then user.deleted, in that order, in the
// deletion's transaction. A session that already ended, was revoked or
// removed had its event then and gets none now.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.withTx(ctx, func(tx *Tx) error {
		if s.engine == postgres {
			// Lock the user first: a sign-in creating a session now waits
			// (its foreign key check) and then fails, instead of slipping a
			// session into the cascade after the list below was taken.
			if _, err := tx.exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, id); err != nil {
				return fmt.Errorf("lock user: %w", err)
			}
		}
		// Ending them as removed first means each event carries the session
		// as it was last (status removed, ended_at set), read back like any
		// other session event; the rows go with the user a moment later.
		if _, err := tx.EndSessionsOf(ctx, id, "", "", latchkey.SessionRemoved); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		res, err := tx.exec(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("delete user %q: %w", id, latchkey.ErrNotFound)
		}
		return tx.addEventJSON(ctx, latchkey.EventUserDeleted, id, wire.Deleted{Object: "user", ID: id, Deleted: true})
	})
}

func insertIdentifier(ctx context.Context, tx *Tx, idn *latchkey.Identifier) error {
	if idn.ID == "" {
		idn.ID = latchkey.NewID(latchkey.IdentifierPrefix(idn.Type))
	}
	idn.CreatedAt, idn.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO identifiers (id, user_id, type, value, normalized, verification_status,
		verification_strategy, verified_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		idn.ID, idn.UserID, string(idn.Type), idn.Value, idn.Normalized, idn.Verification.Status,
		idn.Verification.Strategy, ms(idn.Verification.VerifiedAt), ms(idn.CreatedAt), ms(idn.UpdatedAt))
	if err != nil {
		return identifierWriteError("create identifier", idn, err)
	}
	return nil
}

// identifierWriteError names the identifier type in a unique violation.
func identifierWriteError(op string, idn *latchkey.Identifier, err error) error {
	err = mapWriteError(op, err)
	var e *latchkey.Error
	if errors.As(err, &e) && e.Code == latchkey.CodeIdentifierExists {
		e.Param = string(idn.Type)
		e.LongMessage = fmt.Sprintf("The %s %q is already taken by another user.", strings.ReplaceAll(string(idn.Type), "_", " "), idn.Value)
	}
	return err
}

// attachIdentifiers loads the identifiers of users in one query.
func attachIdentifiers(ctx context.Context, c conn, users []*latchkey.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := make(map[string]*latchkey.User, len(users))
	args := make([]any, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		u.Identifiers = nil
		args = append(args, u.ID)
	}
	rows, err := c.query(ctx, `SELECT id, user_id, type, value, normalized, verification_status,
		verification_strategy, verified_at, created_at, updated_at FROM identifiers
		WHERE user_id IN (`+placeholders(len(args))+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return fmt.Errorf("load identifiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idn latchkey.Identifier
		var typ string
		var verified, created, updated int64
		if err := rows.Scan(&idn.ID, &idn.UserID, &typ, &idn.Value, &idn.Normalized, &idn.Verification.Status,
			&idn.Verification.Strategy, &verified, &created, &updated); err != nil {
			return fmt.Errorf("scan identifier: %w", err)
		}
		idn.Type = latchkey.IdentifierType(typ)
		idn.Verification.VerifiedAt, idn.CreatedAt, idn.UpdatedAt = fromMS(verified), fromMS(created), fromMS(updated)
		if u := byID[idn.UserID]; u != nil {
			u.Identifiers = append(u.Identifiers, &idn)
		}
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// mapWriteError turns a unique violation into form_identifier_exists naming
// the parameter, and wraps anything else.
func mapWriteError(op string, err error) error {
	constraint, ok := uniqueViolation(err)
	if !ok {
		return fmt.Errorf("%s: %w", op, err)
	}
	param := ""
	switch {
	case strings.Contains(constraint, "external_id"):
		param = "external_id"
	case strings.Contains(constraint, "identifiers"):
		param = "identifier"
	}
	e := latchkey.NewError(latchkey.CodeIdentifierExists, param)
	e.Cause = err
	return e
}

// UserBySignInIdentifier is UserByIdentifier for signing in: an email
// address or phone number counts only once verified, so claiming someone
// else's address on your own account (unverified) never routes their
// sign-in to you.
func (s *Store) UserBySignInIdentifier(ctx context.Context, t latchkey.IdentifierType, normalized string) (*latchkey.User, error) {
	q := `SELECT user_id FROM identifiers WHERE type = ? AND normalized = ?`
	if t != latchkey.IdentifierUsername {
		q += ` AND verification_status = 'verified'`
	}
	var id string
	err := s.reader().queryRow(ctx, q, string(t), normalized).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user by %s: %w", t, latchkey.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("user by %s: %w", t, err)
	}
	return s.UserByID(ctx, id)
}

// ReleaseUnverifiedIdentifier deletes an unverified identifier with this
// value from whichever user claimed it: someone has just proven they own it.
// It returns the user it was taken from, if any.
func (tx *Tx) ReleaseUnverifiedIdentifier(ctx context.Context, t latchkey.IdentifierType, normalized string) (string, error) {
	var id, userID string
	err := tx.queryRow(ctx, `SELECT id, user_id FROM identifiers WHERE type = ? AND normalized = ?
		AND verification_status <> 'verified'`, string(t), normalized).Scan(&id, &userID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("find unverified identifier: %w", err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM identifiers WHERE id = ?`, id); err != nil {
		return "", fmt.Errorf("release unverified identifier: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE users SET version = version + 1, updated_at = ? WHERE id = ?`, ms(tx.now), userID); err != nil {
		return "", fmt.Errorf("release unverified identifier: %w", err)
	}
	if err := tx.addUserEvent(ctx, latchkey.EventUserUpdated, userID); err != nil {
		return "", err
	}
	return userID, nil
}
