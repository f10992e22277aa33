package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
)

const signingKeyColumns = `id, algorithm, state, public_key, encrypted_private_key, created_at, activated_at, retired_at`

// SigningKeys returns the current and next keys and the keys retired after
// retiredSince, newest first.
func (s *Store) SigningKeys(ctx context.Context, retiredSince time.Time) ([]*latchkey.SigningKey, error) {
	rows, err := s.reader().query(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys
		WHERE state IN ('current', 'next') OR (state = 'retired' AND retired_at > ?)
		ORDER BY created_at DESC, id DESC`, ms(retiredSince))
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.SigningKey
	for rows.Next() {
		var k latchkey.SigningKey
		var created, activated, retired int64
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.State, &k.PublicKeyDER, &k.EncryptedPrivateKey,
			&created, &activated, &retired); err != nil {
			return nil, fmt.Errorf("scan signing key: %w", err)
		}
		k.CreatedAt, k.ActivatedAt, k.RetiredAt = fromMS(created), fromMS(activated), fromMS(retired)
		out = append(out, &k)
	}
	return out, rows.Err()
}

// ErrSigningKeysExist is returned by InitSigningKeys when keys exist already.
var ErrSigningKeysExist = latchkey.ErrSigningKeysExist

// InitSigningKeys stores the first current and next keys, unless a current
// key exists, in which case it returns ErrSigningKeysExist.
func (s *Store) InitSigningKeys(ctx context.Context, current, next *latchkey.SigningKey) error {
	return s.withTx(ctx, func(tx *Tx) error {
		// Processes starting at once: one inserts, the others wait here and
		// then find its keys.
		if err := tx.lockTable(ctx, "signing_keys"); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM signing_keys WHERE state = 'current'`).Scan(&n); err != nil {
			return fmt.Errorf("count signing keys: %w", err)
		}
		if n > 0 {
			return ErrSigningKeysExist
		}
		current.State, current.ActivatedAt = latchkey.KeyStateCurrent, tx.now
		next.State = latchkey.KeyStateNext
		for _, k := range []*latchkey.SigningKey{current, next} {
			if err := insertSigningKey(ctx, tx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// RotateSigningKeys retires the current key, promotes the next key (already
// published, so verifiers know it) and stores newNext as the next key.
func (s *Store) RotateSigningKeys(ctx context.Context, newNext *latchkey.SigningKey) error {
	return s.withTx(ctx, func(tx *Tx) error {
		if err := tx.lockTable(ctx, "signing_keys"); err != nil { // two rotations at once run one after the other
			return err
		}
		var next int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM signing_keys WHERE state = 'next'`).Scan(&next); err != nil {
			return fmt.Errorf("rotate signing keys: %w", err)
		}
		if next == 0 {
			return errors.New("rotate signing keys: there is no next key; start the server once to create the keys")
		}
		steps := []struct {
			q    string
			args []any
		}{
			{`UPDATE signing_keys SET state = 'retired', retired_at = ? WHERE state = 'current'`, []any{ms(tx.now)}},
			{`UPDATE signing_keys SET state = 'current', activated_at = ? WHERE state = 'next'`, []any{ms(tx.now)}},
		}
		for _, st := range steps {
			if _, err := tx.exec(ctx, st.q, st.args...); err != nil {
				return fmt.Errorf("rotate signing keys: %w", err)
			}
		}
		newNext.State = latchkey.KeyStateNext
		return insertSigningKey(ctx, tx, newNext)
	})
}

func insertSigningKey(ctx context.Context, tx *Tx, k *latchkey.SigningKey) error {
	if k.ID == "" {
		k.ID = latchkey.NewID(latchkey.PrefixSigningKey)
	}
	k.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.Algorithm, k.State, k.PublicKeyDER, k.EncryptedPrivateKey, ms(k.CreatedAt), ms(k.ActivatedAt), ms(k.RetiredAt))
	if err != nil {
		return fmt.Errorf("store signing key: %w", err)
	}
	return nil
}
