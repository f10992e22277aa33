package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

const signInColumns = `id, client_id, status, identifier, identifier_type, user_id, strategy, first_factor_at,
	reset_verified, redirect_url, created_session_id, created_at, updated_at, expire_at`

// CreateSignIn inserts a sign-in attempt.
func (tx *Tx) CreateSignIn(ctx context.Context, si *latchkey.SignIn) error {
	if si.ID == "" {
		si.ID = latchkey.NewID(latchkey.PrefixSignIn)
	}
	si.CreatedAt, si.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO sign_ins (`+signInColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		signInArgs(si)...)
	if err != nil {
		return fmt.Errorf("create sign-in: %w", err)
	}
	return nil
}

func signInArgs(si *latchkey.SignIn) []any {
	return []any{si.ID, si.ClientID, si.Status, si.Identifier, string(si.IdentifierType), si.UserID, si.Strategy,
		ms(si.FirstFactorAt), si.ResetVerified, si.RedirectURL, si.CreatedSessionID, ms(si.CreatedAt),
		ms(si.UpdatedAt), ms(si.ExpireAt)}
}

// UpdateSignIn saves the sign-in attempt.
func (tx *Tx) UpdateSignIn(ctx context.Context, si *latchkey.SignIn) error {
	si.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE sign_ins SET status = ?, identifier = ?, identifier_type = ?, user_id = ?,
		strategy = ?, first_factor_at = ?, reset_verified = ?, redirect_url = ?, created_session_id = ?,
		updated_at = ?, expire_at = ? WHERE id = ?`,
		si.Status, si.Identifier, string(si.IdentifierType), si.UserID, si.Strategy, ms(si.FirstFactorAt),
		si.ResetVerified, si.RedirectURL, si.CreatedSessionID, ms(si.UpdatedAt), ms(si.ExpireAt), si.ID)
	if err != nil {
		return fmt.Errorf("update sign-in: %w", err)
	}
	return nil
}

// SignInByID returns the sign-in attempt (locked for update on PostgreSQL),
// or latchkey.ErrNotFound.
func (tx *Tx) SignInByID(ctx context.Context, id string) (*latchkey.SignIn, error) {
	q := `SELECT ` + signInColumns + ` FROM sign_ins WHERE id = ?`
	if tx.engine == postgres {
		q += ` FOR UPDATE`
	}
	return scanSignIn(tx.queryRow(ctx, q, id))
}

// SignInByID returns the sign-in attempt, or latchkey.ErrNotFound.
func (s *Store) SignInByID(ctx context.Context, id string) (*latchkey.SignIn, error) {
	return scanSignIn(s.reader().queryRow(ctx, `SELECT `+signInColumns+` FROM sign_ins WHERE id = ?`, id))
}

func scanSignIn(row rowScanner) (*latchkey.SignIn, error) {
	var si latchkey.SignIn
	var typ string
	var ff, created, updated, expire int64
	err := row.Scan(&si.ID, &si.ClientID, &si.Status, &si.Identifier, &typ, &si.UserID, &si.Strategy, &ff,
		&si.ResetVerified, &si.RedirectURL, &si.CreatedSessionID, &created, &updated, &expire)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan sign-in: %w", err)
	}
	si.IdentifierType = latchkey.IdentifierType(typ)
	si.FirstFactorAt, si.CreatedAt, si.UpdatedAt, si.ExpireAt = fromMS(ff), fromMS(created), fromMS(updated), fromMS(expire)
	return &si, nil
}
