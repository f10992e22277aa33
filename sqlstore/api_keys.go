package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

const apiKeyColumns = `id, name, prefix, digest, created_at, revoked_at, last_used_at`

// CreateAPIKey stores a new API key (its digest, never the secret).
func (s *Store) CreateAPIKey(ctx context.Context, k *latchkey.APIKey) error {
	return s.withTx(ctx, func(tx *Tx) error {
		if k.ID == "" {
			k.ID = latchkey.NewID(latchkey.PrefixAPIKey)
		}
		k.CreatedAt = tx.now
		_, err := tx.exec(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, 0, 0)`,
			k.ID, k.Name, k.Prefix, k.Digest, ms(k.CreatedAt))
		if err != nil {
			return fmt.Errorf("create api key: %w", err)
		}
		return nil
	})
}

// APIKeyByDigest returns the key whose secret has the given SHA-256 digest,
// revoked or not, or latchkey.ErrNotFound.
func (s *Store) APIKeyByDigest(ctx context.Context, digest []byte) (*latchkey.APIKey, error) {
	return scanAPIKey(s.reader().queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE digest = ?`, digest))
}

// APIKeyByID returns the key with the given ID, or latchkey.ErrNotFound.
func (s *Store) APIKeyByID(ctx context.Context, id string) (*latchkey.APIKey, error) {
	return scanAPIKey(s.reader().queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
}

// APIKeys returns every key, newest first.
func (s *Store) APIKeys(ctx context.Context) ([]*latchkey.APIKey, error) {
	rows, err := s.reader().query(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey revokes the key. Revoking a revoked key is an error with code
// api_key_already_revoked.
func (s *Store) RevokeAPIKey(ctx context.Context, id string) (*latchkey.APIKey, error) {
	err := s.withTx(ctx, func(tx *Tx) error {
		k, err := scanAPIKey(tx.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if k.Revoked() {
			return latchkey.NewError(latchkey.CodeAPIKeyRevoked, "")
		}
		// revoked_at = 0 again: on PostgreSQL a concurrent revocation may
		// have committed since the read, and only one may win.
		res, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at = 0`, ms(tx.now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return latchkey.NewError(latchkey.CodeAPIKeyRevoked, "")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("revoke api key: %w", err)
	}
	return s.APIKeyByID(ctx, id)
}

// TouchAPIKey records that the key was used.
func (s *Store) TouchAPIKey(ctx context.Context, id string) error {
	return s.withTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, ms(tx.now), id)
		return err
	})
}

func scanAPIKey(row rowScanner) (*latchkey.APIKey, error) {
	var k latchkey.APIKey
	var created, revoked, used int64
	err := row.Scan(&k.ID, &k.Name, &k.Prefix, &k.Digest, &created, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan api key: %w", err)
	}
	k.CreatedAt, k.RevokedAt, k.LastUsedAt = fromMS(created), fromMS(revoked), fromMS(used)
	return &k, nil
}
