package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

const externalAccountColumns = `id, user_id, provider_id, provider_user_id, email_address, email_verified,
	first_name, last_name, username, avatar_url, access_token_sealed, refresh_token_sealed, token_expiry,
	scopes, created_at, updated_at`

// CreateExternalAccount links an external identity to a user, its tokens
// sealed with box. An identity (provider and provider user ID) linked
// already, to anyone, is a *latchkey.Error with code external_account_exists.
func (s *Store) CreateExternalAccount(ctx context.Context, box *seal.Box, a *latchkey.ExternalAccount) error {
	return s.withTx(ctx, func(tx *Tx) error { return tx.CreateExternalAccount(ctx, box, a) })
}

// CreateExternalAccount is Store.CreateExternalAccount in the transaction, so
// a sign-up can create the user and link the identity atomically. On
// PostgreSQL an external_account_exists error also aborts the transaction,
// which the caller must then roll back.
func (tx *Tx) CreateExternalAccount(ctx context.Context, box *seal.Box, a *latchkey.ExternalAccount) error {
	if a.ID == "" {
		a.ID = latchkey.NewID(latchkey.PrefixExternalAccount)
	}
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	scopes, err := json.Marshal(nonNilStrings(a.Scopes))
	if err != nil {
		return fmt.Errorf("create external account: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO external_accounts (`+externalAccountColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.UserID, a.ProviderID, a.ProviderUserID, a.EmailAddress, a.EmailVerified,
		a.FirstName, a.LastName, a.Username, a.AvatarURL,
		sealText(box, a.AccessToken, "external_accounts", a.ID, "access_token"),
		sealText(box, a.RefreshToken, "external_accounts", a.ID, "refresh_token"),
		ms(a.TokenExpiry), string(scopes), ms(a.CreatedAt), ms(a.UpdatedAt))
	if _, ok := uniqueViolation(err); ok {
		return latchkey.Errorf(latchkey.CodeExternalAccountExists, "provider",
			"This %s account is already connected to a user.", a.ProviderID)
	} else if err != nil {
		return fmt.Errorf("create external account: %w", err)
	}
	// The account is part of the user the Backend API returns.
	return tx.addUserEvent(ctx, latchkey.EventUserUpdated, a.UserID)
}

// ExternalAccountsByUser returns the user's external accounts, oldest first,
// with their tokens opened (left empty with a nil box: a read for display).
func (s *Store) ExternalAccountsByUser(ctx context.Context, box *seal.Box, userID string) ([]*latchkey.ExternalAccount, error) {
	rows, err := s.reader().query(ctx, `SELECT `+externalAccountColumns+` FROM external_accounts
		WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list external accounts: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.ExternalAccount
	for rows.Next() {
		a, err := scanExternalAccount(box, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ExternalAccountsByUsers returns the external accounts of several users
// (a page of a user list) in one query, by user ID, oldest first; with a
// nil box their tokens stay sealed (a read for display).
func (s *Store) ExternalAccountsByUsers(ctx context.Context, box *seal.Box, userIDs []string) (map[string][]*latchkey.ExternalAccount, error) {
	out := make(map[string][]*latchkey.ExternalAccount, len(userIDs))
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := s.reader().query(ctx, `SELECT `+externalAccountColumns+` FROM external_accounts
		WHERE user_id IN (`+placeholders(len(userIDs))+`) ORDER BY created_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list external accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanExternalAccount(box, rows)
		if err != nil {
			return nil, err
		}
		out[a.UserID] = append(out[a.UserID], a)
	}
	return out, rows.Err()
}

// ExternalAccountByIdentity returns the account linked to the provider's
// user, or latchkey.ErrNotFound.
func (s *Store) ExternalAccountByIdentity(ctx context.Context, box *seal.Box, providerID, providerUserID string) (*latchkey.ExternalAccount, error) {
	return scanExternalAccount(box, s.reader().queryRow(ctx, `SELECT `+externalAccountColumns+` FROM external_accounts
		WHERE provider_id = ? AND provider_user_id = ?`, providerID, providerUserID))
}

// UpdateExternalAccountTokens replaces the account's tokens, their expiry
// and granted scopes (after a sign-in or a refresh), or returns
// latchkey.ErrNotFound. An empty refresh token keeps the stored one:
// providers often send one only the first time.
//
// The Backend user never shows tokens, expiry or scopes, but it does show the
// account's updated_at, which this moves: so the write is a visible change
// and gets a user.updated, like any other (none when updated_at is already
// this transaction's time).
func (s *Store) UpdateExternalAccountTokens(ctx context.Context, box *seal.Box, id, accessToken, refreshToken string, expiry time.Time, scopes []string) error {
	return s.withTx(ctx, func(tx *Tx) error {
		var userID string
		var updated int64
		err := tx.queryRow(ctx, `SELECT user_id, updated_at FROM external_accounts WHERE id = ?`, id).Scan(&userID, &updated)
		if errors.Is(err, sql.ErrNoRows) {
			return latchkey.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("update external account tokens: %w", err)
		}
		enc, err := json.Marshal(nonNilStrings(scopes))
		if err != nil {
			return err
		}
		q := `UPDATE external_accounts SET access_token_sealed = ?, token_expiry = ?, scopes = ?, updated_at = ?`
		args := []any{sealText(box, accessToken, "external_accounts", id, "access_token"), ms(expiry), string(enc), ms(tx.now)}
		if refreshToken != "" {
			q += `, refresh_token_sealed = ?`
			args = append(args, sealText(box, refreshToken, "external_accounts", id, "refresh_token"))
		}
		res, err := tx.exec(ctx, q+` WHERE id = ?`, append(args, id)...)
		if err != nil {
			return fmt.Errorf("update external account tokens: %w", err)
		}
		if err := oneRow(res); err != nil {
			return err
		}
		if updated == ms(tx.now) {
			return nil // nothing the Backend user shows has changed
		}
		return tx.addUserEvent(ctx, latchkey.EventUserUpdated, userID)
	})
}

// DeleteExternalAccount is Tx.DeleteExternalAccount in a transaction of
// its own.
func (s *Store) DeleteExternalAccount(ctx context.Context, userID, id string) error {
	return s.withTx(ctx, func(tx *Tx) error { return tx.DeleteExternalAccount(ctx, userID, id) })
}

// oneRow turns a statement that changed no row into latchkey.ErrNotFound.
func oneRow(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return latchkey.ErrNotFound
	}
	return nil
}

func scanExternalAccount(box *seal.Box, row rowScanner) (*latchkey.ExternalAccount, error) {
	var a latchkey.ExternalAccount
	var access, refresh []byte
	var scopes string
	var expiry, created, updated int64
	err := row.Scan(&a.ID, &a.UserID, &a.ProviderID, &a.ProviderUserID, &a.EmailAddress, &a.EmailVerified,
		&a.FirstName, &a.LastName, &a.Username, &a.AvatarURL, &access, &refresh, &expiry, &scopes, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan external account: %w", err)
	}
	if err := json.Unmarshal([]byte(scopes), &a.Scopes); err != nil {
		return nil, fmt.Errorf("external account %s scopes: %w", a.ID, err)
	}
	a.TokenExpiry, a.CreatedAt, a.UpdatedAt = fromMS(expiry), fromMS(created), fromMS(updated)
	if box == nil {
		return &a, nil // a read for display: the provider tokens stay sealed
	}
	if a.AccessToken, err = openText(box, access, "external_accounts", a.ID, "access_token"); err != nil {
		return nil, err
	}
	if a.RefreshToken, err = openText(box, refresh, "external_accounts", a.ID, "refresh_token"); err != nil {
		return nil, err
	}
	return &a, nil
}
