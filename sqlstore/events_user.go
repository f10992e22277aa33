package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/wire"
)

// addUserEvent writes a user.created or user.updated event whose data is the
// user as the Backend API returns it, read back in the transaction after the
// change. The API never shows tokens, so the external accounts are read
// without them.
func (tx *Tx) addUserEvent(ctx context.Context, typ, userID string) error {
	u, err := userByID(ctx, tx.conn, userID)
	if err != nil {
		return fmt.Errorf("%s event: %w", typ, err)
	}
	rows, err := tx.query(ctx, `SELECT id, provider_id, provider_user_id, email_address, first_name, last_name,
		username, avatar_url, created_at, updated_at FROM external_accounts WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return fmt.Errorf("%s event: external accounts: %w", typ, err)
	}
	defer rows.Close()
	for rows.Next() {
		a := &latchkey.ExternalAccount{UserID: userID}
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.ProviderID, &a.ProviderUserID, &a.EmailAddress, &a.FirstName, &a.LastName,
			&a.Username, &a.AvatarURL, &created, &updated); err != nil {
			return fmt.Errorf("%s event: external accounts: %w", typ, err)
		}
		a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
		u.ExternalAccounts = append(u.ExternalAccounts, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s event: external accounts: %w", typ, err)
	}
	rows.Close()
	return tx.addEventJSON(ctx, typ, userID, wire.NewUser(u, tx.now))
}

// addEventJSON writes an event whose data is v as JSON.
func (tx *Tx) addEventJSON(ctx context.Context, typ, objectID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s event: %w", typ, err)
	}
	return tx.AddEvent(ctx, &latchkey.Event{Type: typ, ObjectID: objectID, Data: data})
}
