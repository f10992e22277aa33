package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

const signUpColumns = `id, client_id, status, email_address, email_normalized, email_verified_at, phone_number,
	username, password_hash, first_name, last_name, unsafe_metadata, legal_accepted_at, redirect_url,
	created_user_id, created_session_id, created_at, updated_at, expire_at, external_provider_id`

// CreateSignUp inserts a sign-up attempt.
func (tx *Tx) CreateSignUp(ctx context.Context, su *latchkey.SignUp) error {
	if su.ID == "" {
		su.ID = latchkey.NewID(latchkey.PrefixSignUp)
	}
	su.CreatedAt, su.UpdatedAt = tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO sign_ups (`+signUpColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		su.ID, su.ClientID, su.Status, su.EmailAddress, su.EmailNormalized, ms(su.EmailVerifiedAt), su.PhoneNumber,
		su.Username, su.PasswordHash, su.FirstName, su.LastName, metadataText(su.UnsafeMetadata),
		ms(su.LegalAcceptedAt), su.RedirectURL, su.CreatedUserID, su.CreatedSessionID, ms(su.CreatedAt),
		ms(su.UpdatedAt), ms(su.ExpireAt), su.ExternalProviderID)
	if err != nil {
		return fmt.Errorf("create sign-up: %w", err)
	}
	return nil
}

// UpdateSignUp saves the sign-up attempt.
func (tx *Tx) UpdateSignUp(ctx context.Context, su *latchkey.SignUp) error {
	su.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE sign_ups SET status = ?, email_address = ?, email_normalized = ?,
		email_verified_at = ?, phone_number = ?, username = ?, password_hash = ?, first_name = ?, last_name = ?,
		unsafe_metadata = ?, legal_accepted_at = ?, redirect_url = ?, created_user_id = ?, created_session_id = ?,
		updated_at = ?, expire_at = ?, external_provider_id = ? WHERE id = ?`,
		su.Status, su.EmailAddress, su.EmailNormalized, ms(su.EmailVerifiedAt), su.PhoneNumber, su.Username,
		su.PasswordHash, su.FirstName, su.LastName, metadataText(su.UnsafeMetadata), ms(su.LegalAcceptedAt),
		su.RedirectURL, su.CreatedUserID, su.CreatedSessionID, ms(su.UpdatedAt), ms(su.ExpireAt), su.ExternalProviderID, su.ID)
	if err != nil {
		return fmt.Errorf("update sign-up: %w", err)
	}
	return nil
}

// SignUpByID returns the sign-up attempt (locked on PostgreSQL), or
// latchkey.ErrNotFound.
func (tx *Tx) SignUpByID(ctx context.Context, id string) (*latchkey.SignUp, error) {
	q := `SELECT ` + signUpColumns + ` FROM sign_ups WHERE id = ?`
	if tx.engine == postgres {
		q += ` FOR UPDATE`
	}
	return scanSignUp(tx.queryRow(ctx, q, id))
}

// SignUpByID returns the sign-up attempt, or latchkey.ErrNotFound.
func (s *Store) SignUpByID(ctx context.Context, id string) (*latchkey.SignUp, error) {
	return scanSignUp(s.reader().queryRow(ctx, `SELECT `+signUpColumns+` FROM sign_ups WHERE id = ?`, id))
}

func scanSignUp(row rowScanner) (*latchkey.SignUp, error) {
	var su latchkey.SignUp
	var verified, legal, created, updated, expire int64
	var unsafe string
	err := row.Scan(&su.ID, &su.ClientID, &su.Status, &su.EmailAddress, &su.EmailNormalized, &verified,
		&su.PhoneNumber, &su.Username, &su.PasswordHash, &su.FirstName, &su.LastName, &unsafe, &legal,
		&su.RedirectURL, &su.CreatedUserID, &su.CreatedSessionID, &created, &updated, &expire, &su.ExternalProviderID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan sign-up: %w", err)
	}
	su.UnsafeMetadata = []byte(unsafe)
	su.EmailVerifiedAt, su.LegalAcceptedAt = fromMS(verified), fromMS(legal)
	su.CreatedAt, su.UpdatedAt, su.ExpireAt = fromMS(created), fromMS(updated), fromMS(expire)
	return &su, nil
}
