package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

// Instance returns the deployment's instance, or latchkey.ErrNotFound before
// the first start created it.
func (s *Store) Instance(ctx context.Context) (*latchkey.Instance, error) {
	var inst latchkey.Instance
	var created, updated int64
	err := s.reader().queryRow(ctx, `SELECT id, environment, publishable_key, created_at, updated_at
		FROM instances ORDER BY created_at LIMIT 1`).Scan(&inst.ID, &inst.Environment, &inst.PublishableKey, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("instance: %w", latchkey.ErrNotFound)
	} else if err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	inst.CreatedAt, inst.UpdatedAt = fromMS(created), fromMS(updated)
	return &inst, nil
}

// CreateInstance inserts the instance with its initial settings (JSON) unless
// one exists already, and returns the instance that exists afterwards. Two
// processes starting at once create one instance.
func (s *Store) CreateInstance(ctx context.Context, inst *latchkey.Instance, settings []byte) (*latchkey.Instance, error) {
	err := s.withTx(ctx, func(tx *Tx) error {
		if err := tx.lockTable(ctx, "instances"); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM instances`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if inst.ID == "" {
			inst.ID = latchkey.NewID(latchkey.PrefixInstance)
		}
		inst.CreatedAt, inst.UpdatedAt = tx.now, tx.now
		_, err := tx.exec(ctx, `INSERT INTO instances (id, environment, publishable_key, settings, settings_version,
			created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`, inst.ID, inst.Environment, inst.PublishableKey,
			string(settings), ms(inst.CreatedAt), ms(inst.UpdatedAt))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create instance: %w", err)
	}
	return s.Instance(ctx)
}

// Settings returns the instance's settings JSON and its version, which
// increases by one on every change.
func (s *Store) Settings(ctx context.Context) (settings []byte, version int64, err error) {
	var text string
	err = s.reader().queryRow(ctx, `SELECT settings, settings_version FROM instances ORDER BY created_at LIMIT 1`).Scan(&text, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("settings: %w", latchkey.ErrNotFound)
	} else if err != nil {
		return nil, 0, fmt.Errorf("settings: %w", err)
	}
	return []byte(text), version, nil
}

// SettingsVersion returns the settings version alone; processes poll it to
// notice changes made by others.
func (s *Store) SettingsVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.reader().queryRow(ctx, `SELECT settings_version FROM instances ORDER BY created_at LIMIT 1`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("settings version: %w", latchkey.ErrNotFound)
	} else if err != nil {
		return 0, fmt.Errorf("settings version: %w", err)
	}
	return v, nil
}

// UpdateSettings reads the settings in a write transaction, passes them to
// fn and stores what fn returns, so concurrent updates never lose each
// other's changes. It returns the stored JSON and its new version.
func (s *Store) UpdateSettings(ctx context.Context, fn func(current []byte) ([]byte, error)) ([]byte, int64, error) {
	var out []byte
	var version int64
	err := s.withTx(ctx, func(tx *Tx) error {
		var id, text string
		lock := ""
		if s.engine == postgres {
			lock = " FOR UPDATE"
		}
		err := tx.queryRow(ctx, `SELECT id, settings, settings_version FROM instances ORDER BY created_at LIMIT 1`+lock).Scan(&id, &text, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return latchkey.ErrNotFound
		} else if err != nil {
			return err
		}
		next, err := fn([]byte(text))
		if err != nil {
			return err
		}
		if string(next) == text {
			out = next
			return nil
		}
		version++
		if _, err := tx.exec(ctx, `UPDATE instances SET settings = ?, settings_version = ?, updated_at = ? WHERE id = ?`,
			string(next), version, ms(tx.now), id); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		out = next
		return nil
	})
	return out, version, err
}
