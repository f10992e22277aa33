package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

const oauthProviderColumns = `id, type, name, client_id, client_secret_sealed, scopes, enabled,
	trust_verified_email, issuer, auth_url, token_url, userinfo_url, mapping, tenant,
	apple_team_id, apple_key_id, apple_private_key_sealed, managed_by_file, created_at, updated_at`

// CreateOAuthProvider stores a new provider, its client secret and Apple key
// sealed with box. An ID already configured is a *latchkey.Error with code
// oauth_provider_exists.
func (s *Store) CreateOAuthProvider(ctx context.Context, box *seal.Box, p *latchkey.OAuthProvider) error {
	return s.withTx(ctx, func(tx *Tx) error {
		p.CreatedAt, p.UpdatedAt = tx.now, tx.now
		if err := insertOAuthProvider(ctx, tx, box, p); err != nil {
			return err
		}
		return tx.AddAudit(ctx, providerAudit("oauth_provider.created", p))
	})
}

// OAuthProviderByID returns the provider with its secrets opened, or
// latchkey.ErrNotFound.
func (s *Store) OAuthProviderByID(ctx context.Context, box *seal.Box, id string) (*latchkey.OAuthProvider, error) {
	return scanOAuthProvider(box, s.reader().queryRow(ctx, `SELECT `+oauthProviderColumns+` FROM oauth_providers WHERE id = ?`, id))
}

// OAuthProviders returns every provider in a stable order (oldest first),
// with their secrets opened.
func (s *Store) OAuthProviders(ctx context.Context, box *seal.Box) ([]*latchkey.OAuthProvider, error) {
	rows, err := s.reader().query(ctx, `SELECT `+oauthProviderColumns+` FROM oauth_providers ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list oauth providers: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.OAuthProvider
	for rows.Next() {
		p, err := scanOAuthProvider(box, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// EnabledOAuthProviders returns the enabled providers in the order of
// OAuthProviders, without opening their secrets (they are left empty): what
// a sign-in page lists.
func (s *Store) EnabledOAuthProviders(ctx context.Context) ([]*latchkey.OAuthProvider, error) {
	rows, err := s.reader().query(ctx, `SELECT `+oauthProviderColumns+` FROM oauth_providers WHERE enabled = ? ORDER BY created_at, id`, true)
	if err != nil {
		return nil, fmt.Errorf("list enabled oauth providers: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.OAuthProvider
	for rows.Next() {
		p, err := scanOAuthProvider(nil, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// UpdateOAuthProvider reads the provider (locked for the transaction), lets
// change modify it and writes it back. A provider managed by the
// configuration file is refused with setting_managed_by_file; an unknown one
// is latchkey.ErrNotFound. The ID, type and creation time cannot change.
func (s *Store) UpdateOAuthProvider(ctx context.Context, box *seal.Box, id string, change func(p *latchkey.OAuthProvider) error) (*latchkey.OAuthProvider, error) {
	var out *latchkey.OAuthProvider
	err := s.withTx(ctx, func(tx *Tx) error {
		p, err := lockOAuthProvider(ctx, tx, box, id)
		if err != nil {
			return err
		}
		if p.ManagedByFile {
			return errManagedProvider(id)
		}
		if err := change(p); err != nil {
			return err
		}
		p.ID, p.ManagedByFile, p.UpdatedAt = id, false, tx.now
		if err := updateOAuthProvider(ctx, tx, box, p); err != nil {
			return err
		}
		out = p
		return tx.AddAudit(ctx, providerAudit("oauth_provider.updated", p))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteOAuthProvider removes the provider. One managed by the configuration
// file is refused with setting_managed_by_file; an unknown one is
// latchkey.ErrNotFound. Linked external accounts stay, so configuring the
// provider again reconnects them.
func (s *Store) DeleteOAuthProvider(ctx context.Context, id string) error {
	return s.withTx(ctx, func(tx *Tx) error {
		var managed bool
		err := tx.queryRow(ctx, `SELECT managed_by_file FROM oauth_providers WHERE id = ?`+tx.forUpdate(), id).Scan(&managed)
		if errors.Is(err, sql.ErrNoRows) {
			return latchkey.ErrNotFound
		} else if err != nil {
			return fmt.Errorf("delete oauth provider: %w", err)
		}
		if managed {
			return errManagedProvider(id)
		}
		if _, err := tx.exec(ctx, `DELETE FROM oauth_providers WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete oauth provider: %w", err)
		}
		return tx.AddAudit(ctx, &AuditEvent{Type: "oauth_provider.deleted", Data: map[string]any{"provider": id}})
	})
}

// SyncFileOAuthProviders makes the providers declared by the configuration
// file exactly what the file says (created or replaced, managed by the
// file), and releases providers the file no longer declares to the API.
func (s *Store) SyncFileOAuthProviders(ctx context.Context, box *seal.Box, providers []*latchkey.OAuthProvider) error {
	return s.withTx(ctx, func(tx *Tx) error {
		// Processes starting at once apply the file one after the other.
		if err := tx.lockTable(ctx, "oauth_providers"); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE oauth_providers SET managed_by_file = ?, updated_at = ? WHERE managed_by_file = ?`,
			false, ms(tx.now), true); err != nil {
			return fmt.Errorf("release file oauth providers: %w", err)
		}
		for _, p := range providers {
			p.ManagedByFile, p.UpdatedAt = true, tx.now
			var created int64
			err := tx.queryRow(ctx, `SELECT created_at FROM oauth_providers WHERE id = ?`, p.ID).Scan(&created)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				p.CreatedAt = tx.now
				err = insertOAuthProvider(ctx, tx, box, p)
			case err == nil:
				p.CreatedAt = fromMS(created)
				err = updateOAuthProvider(ctx, tx, box, p)
			}
			if err != nil {
				return fmt.Errorf("apply file oauth provider %s: %w", p.ID, err)
			}
		}
		return nil
	})
}

// providerAudit describes a change to a provider for the audit log: what it
// is and whether it is on, never its secrets.
func providerAudit(typ string, p *latchkey.OAuthProvider) *AuditEvent {
	return &AuditEvent{Type: typ, Data: map[string]any{"provider": p.ID, "type": p.Type, "enabled": p.Enabled,
		"client_id": p.ClientID, "client_secret_set": p.ClientSecret != ""}}
}

func errManagedProvider(id string) error {
	return latchkey.Errorf(latchkey.CodeSettingManaged, "id",
		"The provider %s is set by the configuration file; change it there and restart.", id)
}

// forUpdate locks the rows a read in a write transaction returns, on
// PostgreSQL (SQLite has one writer).
func (tx *Tx) forUpdate() string {
	if tx.engine == postgres {
		return ` FOR UPDATE`
	}
	return ""
}

func lockOAuthProvider(ctx context.Context, tx *Tx, box *seal.Box, id string) (*latchkey.OAuthProvider, error) {
	return scanOAuthProvider(box, tx.queryRow(ctx, `SELECT `+oauthProviderColumns+` FROM oauth_providers WHERE id = ?`+tx.forUpdate(), id))
}

func oauthProviderArgs(box *seal.Box, p *latchkey.OAuthProvider) ([]any, error) {
	scopes, err := json.Marshal(nonNilStrings(p.Scopes))
	if err != nil {
		return nil, err
	}
	mapping, err := json.Marshal(p.Mapping)
	if err != nil {
		return nil, err
	}
	return []any{p.ID, p.Type, p.Name, p.ClientID,
		sealText(box, p.ClientSecret, "oauth_providers", p.ID, "client_secret"),
		string(scopes), p.Enabled, p.TrustVerifiedEmail, p.Issuer, p.AuthURL, p.TokenURL, p.UserInfoURL,
		string(mapping), p.Tenant, p.AppleTeamID, p.AppleKeyID,
		sealText(box, p.ApplePrivateKey, "oauth_providers", p.ID, "apple_private_key"),
		p.ManagedByFile, ms(p.CreatedAt), ms(p.UpdatedAt)}, nil
}

func insertOAuthProvider(ctx context.Context, tx *Tx, box *seal.Box, p *latchkey.OAuthProvider) error {
	args, err := oauthProviderArgs(box, p)
	if err != nil {
		return fmt.Errorf("create oauth provider: %w", err)
	}
	_, err = tx.exec(ctx, `INSERT INTO oauth_providers (`+oauthProviderColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
	if _, ok := uniqueViolation(err); ok {
		return latchkey.Errorf(latchkey.CodeOAuthProviderExists, "id", "The provider %s is already configured; change it with PATCH.", p.ID)
	} else if err != nil {
		return fmt.Errorf("create oauth provider: %w", err)
	}
	return nil
}

func updateOAuthProvider(ctx context.Context, tx *Tx, box *seal.Box, p *latchkey.OAuthProvider) error {
	args, err := oauthProviderArgs(box, p)
	if err != nil {
		return fmt.Errorf("update oauth provider: %w", err)
	}
	// Every column but id and created_at, then the id.
	set := append(append([]any{}, args[1:len(args)-2]...), ms(p.UpdatedAt), p.ID)
	_, err = tx.exec(ctx, `UPDATE oauth_providers SET type = ?, name = ?, client_id = ?, client_secret_sealed = ?,
		scopes = ?, enabled = ?, trust_verified_email = ?, issuer = ?, auth_url = ?, token_url = ?, userinfo_url = ?,
		mapping = ?, tenant = ?, apple_team_id = ?, apple_key_id = ?, apple_private_key_sealed = ?, managed_by_file = ?,
		updated_at = ? WHERE id = ?`, set...)
	if err != nil {
		return fmt.Errorf("update oauth provider: %w", err)
	}
	return nil
}

func scanOAuthProvider(box *seal.Box, row rowScanner) (*latchkey.OAuthProvider, error) {
	var p latchkey.OAuthProvider
	var secret, appleKey []byte
	var scopes, mapping string
	var created, updated int64
	err := row.Scan(&p.ID, &p.Type, &p.Name, &p.ClientID, &secret, &scopes, &p.Enabled, &p.TrustVerifiedEmail,
		&p.Issuer, &p.AuthURL, &p.TokenURL, &p.UserInfoURL, &mapping, &p.Tenant, &p.AppleTeamID, &p.AppleKeyID,
		&appleKey, &p.ManagedByFile, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan oauth provider: %w", err)
	}
	if err := json.Unmarshal([]byte(scopes), &p.Scopes); err != nil {
		return nil, fmt.Errorf("oauth provider %s scopes: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(mapping), &p.Mapping); err != nil {
		return nil, fmt.Errorf("oauth provider %s mapping: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	if box == nil { // EnabledOAuthProviders: the secrets stay sealed
		return &p, nil
	}
	if p.ClientSecret, err = openText(box, secret, "oauth_providers", p.ID, "client_secret"); err != nil {
		return nil, err
	}
	if p.ApplePrivateKey, err = openText(box, appleKey, "oauth_providers", p.ID, "apple_private_key"); err != nil {
		return nil, err
	}
	return &p, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
