package sqlstore

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"

	"github.com/latchkeyhq/latchkey"
)

const challengeColumns = `id, kind, owner_type, owner_id, target, client_id, code_digest, link_digest, attempts,
	max_attempts, status, redirect_url, expire_at, verified_at, created_at`

// CreateChallenge inserts a challenge. Earlier pending challenges of the same
// owner and kind are closed, so only the newest code or link works.
func (tx *Tx) CreateChallenge(ctx context.Context, c *latchkey.Challenge) error {
	if c.ID == "" {
		c.ID = latchkey.NewID(latchkey.PrefixVerification)
	}
	c.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `UPDATE challenges SET status = 'failed' WHERE owner_type = ? AND owner_id = ?
		AND kind = ? AND status = 'pending'`, c.OwnerType, c.OwnerID, c.Kind); err != nil {
		return fmt.Errorf("close earlier challenges: %w", err)
	}
	_, err := tx.exec(ctx, `INSERT INTO challenges (`+challengeColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Kind, c.OwnerType, c.OwnerID, c.Target, c.ClientID, nullBytes(c.CodeDigest), nullBytes(c.LinkDigest),
		c.Attempts, c.MaxAttempts, c.Status, c.RedirectURL, ms(c.ExpireAt), ms(c.VerifiedAt), ms(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("create challenge: %w", err)
	}
	return nil
}

// LatestChallenge returns the newest challenge of an owner, or
// latchkey.ErrNotFound. It is locked for update on PostgreSQL.
func (tx *Tx) LatestChallenge(ctx context.Context, ownerType, ownerID string) (*latchkey.Challenge, error) {
	q := `SELECT ` + challengeColumns + ` FROM challenges WHERE owner_type = ? AND owner_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`
	if tx.engine == postgres {
		q += ` FOR UPDATE`
	}
	return scanChallenge(tx.queryRow(ctx, q, ownerType, ownerID))
}

// ChallengeByLinkDigest returns the challenge whose link token has the
// digest (locked on PostgreSQL), or latchkey.ErrNotFound.
func (tx *Tx) ChallengeByLinkDigest(ctx context.Context, digest []byte) (*latchkey.Challenge, error) {
	q := `SELECT ` + challengeColumns + ` FROM challenges WHERE link_digest = ?`
	if tx.engine == postgres {
		q += ` FOR UPDATE`
	}
	return scanChallenge(tx.queryRow(ctx, q, digest))
}

// AttemptResult says how an attempt at a challenge went.
type AttemptResult int

// Attempt results.
const (
	AttemptVerified  AttemptResult = iota
	AttemptWrong                   // wrong code; attempts remain
	AttemptExhausted               // wrong code and no attempts remain, or none remained
	AttemptExpired
	AttemptUsed // already verified (single use)
)

// AttemptCode checks a code against a pending challenge and records the
// attempt, atomically: the row is updated only while it is still pending and
// under its attempt limit, so two concurrent attempts cannot both succeed and
// concurrent wrong guesses cannot exceed the limit.
func (tx *Tx) AttemptCode(ctx context.Context, c *latchkey.Challenge, codeDigest []byte) (AttemptResult, error) {
	switch {
	case c.Status == latchkey.ChallengeVerified:
		return AttemptUsed, nil
	case c.Status == latchkey.ChallengeFailed || c.Attempts >= c.MaxAttempts:
		return AttemptExhausted, nil
	case !tx.now.Before(c.ExpireAt):
		return AttemptExpired, nil
	}
	if subtle.ConstantTimeCompare(c.CodeDigest, codeDigest) == 1 {
		return tx.markVerified(ctx, c)
	}
	res, err := tx.exec(ctx, `UPDATE challenges SET attempts = attempts + 1,
		status = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' ELSE status END
		WHERE id = ? AND status = 'pending' AND attempts < max_attempts`, c.ID)
	if err != nil {
		return 0, fmt.Errorf("record attempt: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return AttemptExhausted, nil
	}
	c.Attempts++
	if c.Attempts >= c.MaxAttempts {
		c.Status = latchkey.ChallengeFailed
		return AttemptExhausted, nil
	}
	return AttemptWrong, nil
}

// UseLink marks a link challenge verified, once.
func (tx *Tx) UseLink(ctx context.Context, c *latchkey.Challenge) (AttemptResult, error) {
	switch {
	case c.Status == latchkey.ChallengeVerified:
		return AttemptUsed, nil
	case c.Status == latchkey.ChallengeFailed:
		return AttemptExhausted, nil
	case !tx.now.Before(c.ExpireAt):
		return AttemptExpired, nil
	}
	return tx.markVerified(ctx, c)
}

func (tx *Tx) markVerified(ctx context.Context, c *latchkey.Challenge) (AttemptResult, error) {
	res, err := tx.exec(ctx, `UPDATE challenges SET status = 'verified', verified_at = ?
		WHERE id = ? AND status = 'pending'`, ms(tx.now), c.ID)
	if err != nil {
		return 0, fmt.Errorf("verify challenge: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return AttemptUsed, nil // a concurrent attempt won
	}
	c.Status, c.VerifiedAt = latchkey.ChallengeVerified, tx.now
	return AttemptVerified, nil
}

func scanChallenge(row rowScanner) (*latchkey.Challenge, error) {
	var c latchkey.Challenge
	var expire, verified, created int64
	err := row.Scan(&c.ID, &c.Kind, &c.OwnerType, &c.OwnerID, &c.Target, &c.ClientID, &c.CodeDigest, &c.LinkDigest,
		&c.Attempts, &c.MaxAttempts, &c.Status, &c.RedirectURL, &expire, &verified, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan challenge: %w", err)
	}
	c.ExpireAt, c.VerifiedAt, c.CreatedAt = fromMS(expire), fromMS(verified), fromMS(created)
	return &c, nil
}
