package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// RecordFailedSignIn counts a failed first-factor attempt and, when the
// count reaches threshold, locks the user until lockUntil. The increment is
// one statement, so concurrent failures are all counted. It returns the new
// count and whether this failure locked the user.
func (s *Store) RecordFailedSignIn(ctx context.Context, userID string, threshold int, lockUntil time.Time) (int, bool, error) {
	var n int
	var locked bool
	err := s.withTx(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ?
			RETURNING failed_sign_ins`, userID).Scan(&n); err != nil {
			return err
		}
		var alreadyLocked bool
		if err := tx.queryRow(ctx, `SELECT locked FROM users WHERE id = ?`, userID).Scan(&alreadyLocked); err != nil {
			return err
		}
		// >= rather than ==: an operator may lower the threshold below a
		// count already reached.
		if threshold > 0 && n >= threshold && !alreadyLocked {
			locked = true
			_, err := tx.exec(ctx, `UPDATE users SET locked = ?, lockout_expires_at = ?, version = version + 1,
				updated_at = ? WHERE id = ?`, true, ms(lockUntil), ms(tx.now), userID)
			if err != nil {
				return err
			}
			if err := tx.addUserEvent(ctx, latchkey.EventUserUpdated, userID); err != nil {
				return err
			}
			return tx.AddAudit(ctx, &AuditEvent{Type: "user.locked", UserID: userID,
				Data: map[string]any{"failed_attempts": n, "until": ms(lockUntil)}})
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("record failed sign-in: %w", err)
	}
	return n, locked, nil
}

// ResetFailedSignIns records a successful sign-in: it sets last_sign_in_at,
// clears the failed-attempt counter, and unlocks a user whose automatic
// lockout has passed. It writes user.updated when the user as the Backend
// API shows it changed (last_sign_in_at, locked, lockout_expires_in_seconds),
// and nothing for the counter alone, which the API does not show. A user
// that does not exist is left alone, as before.
func (tx *Tx) ResetFailedSignIns(ctx context.Context, userID string) error {
	// What the Backend user shows of this row before the change decides
	// whether it is a visible one. FOR NO KEY UPDATE, not FOR UPDATE: a
	// sign-in has already inserted its session, whose foreign key holds KEY
	// SHARE on this row, and FOR UPDATE would deadlock two sign-ins of one
	// user.
	lock := ""
	if tx.engine == postgres {
		lock = ` FOR NO KEY UPDATE`
	}
	var lastSignIn, lockoutExpires int64
	err := tx.queryRow(ctx, `SELECT last_sign_in_at, lockout_expires_at FROM users WHERE id = ?`+lock, userID).
		Scan(&lastSignIn, &lockoutExpires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("reset failed sign-ins: %w", err)
	}
	now := ms(tx.now)
	_, err = tx.exec(ctx, `UPDATE users SET failed_sign_ins = 0, last_sign_in_at = ?,
		locked = CASE WHEN lockout_expires_at <> 0 AND lockout_expires_at <= ? THEN ? ELSE locked END,
		lockout_expires_at = CASE WHEN lockout_expires_at <> 0 AND lockout_expires_at <= ? THEN 0 ELSE lockout_expires_at END
		WHERE id = ?`, now, now, false, now, userID)
	if err != nil {
		return fmt.Errorf("reset failed sign-ins: %w", err)
	}
	lockoutEnded := lockoutExpires != 0 && lockoutExpires <= now
	if lastSignIn == now && !lockoutEnded {
		return nil // only the counter changed, which the API does not show
	}
	return tx.addUserEvent(ctx, latchkey.EventUserUpdated, userID)
}
