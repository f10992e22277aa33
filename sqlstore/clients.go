package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

const clientColumns = `id, token_digest, previous_digest, rotated_at, last_active_session_id, sign_in_id,
	sign_up_id, revoked_at, created_at, updated_at`

// CreateClient inserts a new client.
func (tx *Tx) CreateClient(ctx context.Context, c *latchkey.Client) error {
	if c.ID == "" {
		c.ID = latchkey.NewID(latchkey.PrefixClient)
	}
	c.CreatedAt, c.UpdatedAt, c.RotatedAt = tx.now, tx.now, tx.now
	_, err := tx.exec(ctx, `INSERT INTO clients (`+clientColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TokenDigest, nullBytes(c.PreviousDigest), ms(c.RotatedAt), c.LastActiveSessionID, c.SignInID,
		c.SignUpID, ms(c.RevokedAt), ms(c.CreatedAt), ms(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("create client: %w", err)
	}
	return nil
}

// UpdateClient saves every field of c but its ID and creation time.
func (tx *Tx) UpdateClient(ctx context.Context, c *latchkey.Client) error {
	c.UpdatedAt = tx.now
	_, err := tx.exec(ctx, `UPDATE clients SET token_digest = ?, previous_digest = ?, rotated_at = ?,
		last_active_session_id = ?, sign_in_id = ?, sign_up_id = ?, revoked_at = ?, updated_at = ? WHERE id = ?`,
		c.TokenDigest, nullBytes(c.PreviousDigest), ms(c.RotatedAt), c.LastActiveSessionID, c.SignInID, c.SignUpID,
		ms(c.RevokedAt), ms(c.UpdatedAt), c.ID)
	if err != nil {
		return fmt.Errorf("update client: %w", err)
	}
	return nil
}

// ClientByID returns the client, or latchkey.ErrNotFound.
func (tx *Tx) ClientByID(ctx context.Context, id string) (*latchkey.Client, error) {
	return clientByID(ctx, tx.conn, id, tx.engine == postgres)
}

// ClientByID returns the client, or latchkey.ErrNotFound.
func (s *Store) ClientByID(ctx context.Context, id string) (*latchkey.Client, error) {
	return clientByID(ctx, s.reader(), id, false)
}

func clientByID(ctx context.Context, c conn, id string, lock bool) (*latchkey.Client, error) {
	q := `SELECT ` + clientColumns + ` FROM clients WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	return scanClient(c.queryRow(ctx, q, id))
}

// ClientByDigest returns the client whose current or previous credential has
// the digest, and whether it matched the previous one.
func (s *Store) ClientByDigest(ctx context.Context, digest []byte) (c *latchkey.Client, previous bool, err error) {
	r := s.reader()
	c, err = scanClient(r.queryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE token_digest = ?`, digest))
	if err == nil || !errors.Is(err, latchkey.ErrNotFound) {
		return c, false, err
	}
	c, err = scanClient(r.queryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE previous_digest = ?`, digest))
	return c, err == nil, err
}

func scanClient(row rowScanner) (*latchkey.Client, error) {
	var c latchkey.Client
	var rotated, revoked, created, updated int64
	var prev []byte
	err := row.Scan(&c.ID, &c.TokenDigest, &prev, &rotated, &c.LastActiveSessionID, &c.SignInID, &c.SignUpID,
		&revoked, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan client: %w", err)
	}
	c.PreviousDigest = prev
	c.RotatedAt, c.RevokedAt, c.CreatedAt, c.UpdatedAt = fromMS(rotated), fromMS(revoked), fromMS(created), fromMS(updated)
	return &c, nil
}

// nullBytes stores an empty digest as NULL, so the unique and lookup indexes
// never match an empty value.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
