package sqlstore

import (
	"context"
	"fmt"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

// UserWithExternalAccounts returns the user (locked on PostgreSQL, so
// concurrent changes to their ways of signing in queue) and their external
// accounts, oldest first, or latchkey.ErrNotFound.
func (tx *Tx) UserWithExternalAccounts(ctx context.Context, box *seal.Box, userID string) (*latchkey.User, []*latchkey.ExternalAccount, error) {
	if tx.engine == postgres {
		if _, err := tx.exec(ctx, `SELECT id FROM users WHERE id = ? FOR UPDATE`, userID); err != nil {
			return nil, nil, fmt.Errorf("lock user: %w", err)
		}
	}
	u, err := userByID(ctx, tx.conn, userID)
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.query(ctx, `SELECT `+externalAccountColumns+` FROM external_accounts
		WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, nil, fmt.Errorf("list external accounts: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.ExternalAccount
	for rows.Next() {
		a, err := scanExternalAccount(box, rows)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, a)
	}
	return u, out, rows.Err()
}

// DeleteExternalAccount unlinks the user's external account and writes
// user.updated (the user's external accounts changed), or returns
// latchkey.ErrNotFound when the user has no account with that ID.
func (tx *Tx) DeleteExternalAccount(ctx context.Context, userID, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM external_accounts WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("delete external account: %w", err)
	}
	if err := oneRow(res); err != nil {
		return err
	}
	return tx.addUserEvent(ctx, latchkey.EventUserUpdated, userID)
}
