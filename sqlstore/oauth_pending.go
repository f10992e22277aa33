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

// OAuthPending is the social part of one sign-in or sign-up: which provider
// it uses, how far it got, and the identity the provider vouched for, kept
// until the attempt completes or transfers.
type OAuthPending struct {
	OwnerID    string // the sign-in or sign-up ID
	OwnerType  string // "sign_in" or "sign_up"
	ClientID   string
	ProviderID string
	Status     string // unverified, transferable or verified
	UserID     string // the existing user the identity belongs to (a sign-up transferring to sign-in)
	// Account is the identity and its tokens (sealed at rest); its ID and
	// UserID are unused.
	Account   latchkey.ExternalAccount
	CreatedAt time.Time
	UpdatedAt time.Time
}

const oauthPendingColumns = `owner_id, owner_type, client_id, provider_id, status, user_id, provider_user_id,
	email_address, email_verified, first_name, last_name, username, avatar_url, access_token_sealed,
	refresh_token_sealed, token_expiry, scopes, created_at, updated_at`

// PutOAuthPending stores p, replacing what the same sign-in or sign-up had.
func (tx *Tx) PutOAuthPending(ctx context.Context, box *seal.Box, p *OAuthPending) error {
	if _, err := tx.exec(ctx, `DELETE FROM oauth_pending WHERE owner_id = ?`, p.OwnerID); err != nil {
		return fmt.Errorf("put oauth pending: %w", err)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = tx.now
	}
	p.UpdatedAt = tx.now
	a := &p.Account
	scopes, err := json.Marshal(nonNilStrings(a.Scopes))
	if err != nil {
		return fmt.Errorf("put oauth pending: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO oauth_pending (`+oauthPendingColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.OwnerID, p.OwnerType, p.ClientID, p.ProviderID, p.Status, p.UserID, a.ProviderUserID,
		a.EmailAddress, a.EmailVerified, a.FirstName, a.LastName, a.Username, a.AvatarURL,
		sealText(box, a.AccessToken, "oauth_pending", p.OwnerID, "access_token"),
		sealText(box, a.RefreshToken, "oauth_pending", p.OwnerID, "refresh_token"),
		ms(a.TokenExpiry), string(scopes), ms(p.CreatedAt), ms(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put oauth pending: %w", err)
	}
	return nil
}

// OAuthPendingByOwner returns the social state of the sign-in or sign-up,
// or latchkey.ErrNotFound.
func (tx *Tx) OAuthPendingByOwner(ctx context.Context, box *seal.Box, ownerID string) (*OAuthPending, error) {
	return scanOAuthPending(box, tx.queryRow(ctx, `SELECT `+oauthPendingColumns+` FROM oauth_pending WHERE owner_id = ?`, ownerID))
}

// OAuthPendingByOwner returns the social state of the sign-in or sign-up,
// or latchkey.ErrNotFound.
func (s *Store) OAuthPendingByOwner(ctx context.Context, box *seal.Box, ownerID string) (*OAuthPending, error) {
	return scanOAuthPending(box, s.reader().queryRow(ctx, `SELECT `+oauthPendingColumns+` FROM oauth_pending WHERE owner_id = ?`, ownerID))
}

// DeleteOAuthPending forgets the social state of the sign-in or sign-up
// (its tokens with it).
func (tx *Tx) DeleteOAuthPending(ctx context.Context, ownerID string) error {
	if _, err := tx.exec(ctx, `DELETE FROM oauth_pending WHERE owner_id = ?`, ownerID); err != nil {
		return fmt.Errorf("delete oauth pending: %w", err)
	}
	return nil
}

func scanOAuthPending(box *seal.Box, row rowScanner) (*OAuthPending, error) {
	var p OAuthPending
	a := &p.Account
	var access, refresh []byte
	var scopes string
	var expiry, created, updated int64
	err := row.Scan(&p.OwnerID, &p.OwnerType, &p.ClientID, &p.ProviderID, &p.Status, &p.UserID, &a.ProviderUserID,
		&a.EmailAddress, &a.EmailVerified, &a.FirstName, &a.LastName, &a.Username, &a.AvatarURL,
		&access, &refresh, &expiry, &scopes, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan oauth pending: %w", err)
	}
	if err := json.Unmarshal([]byte(scopes), &a.Scopes); err != nil {
		return nil, fmt.Errorf("oauth pending %s scopes: %w", p.OwnerID, err)
	}
	if a.AccessToken, err = openText(box, access, "oauth_pending", p.OwnerID, "access_token"); err != nil {
		return nil, err
	}
	if a.RefreshToken, err = openText(box, refresh, "oauth_pending", p.OwnerID, "refresh_token"); err != nil {
		return nil, err
	}
	a.ProviderID = p.ProviderID
	a.TokenExpiry, p.CreatedAt, p.UpdatedAt = fromMS(expiry), fromMS(created), fromMS(updated)
	return &p, nil
}

// OAuthPendingLifetime is how long the social state of an attempt is kept
// after its last change: as long as a sign-up can last.
const OAuthPendingLifetime = 24 * time.Hour

// DeleteStaleOAuthPending removes social state (and the tokens in it) left
// by attempts abandoned more than OAuthPendingLifetime ago, and returns how
// many.
func (s *Store) DeleteStaleOAuthPending(ctx context.Context) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM oauth_pending WHERE updated_at <= ?`, ms(tx.now.Add(-OAuthPendingLifetime)))
		if err != nil {
			return fmt.Errorf("delete stale oauth pending: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
