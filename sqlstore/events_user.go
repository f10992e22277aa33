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
// change.
func (tx *Tx) addUserEvent(ctx context.Context, typ, userID string) error {
	data, err := tx.userJSON(ctx, userID)
	if err != nil {
		return fmt.Errorf("%s event: %w", typ, err)
	}
	return tx.addUserEventData(ctx, typ, userID, data)
}

// addUserEventData adds a user event with data, the user's Backend JSON.
//
// A user.updated for a user whose user.created is still pending in this
// transaction is not a second event: the pending user.created takes the new
// data instead. So a flow that creates a user and then adds to it in one
// transaction (a social sign-up links the external account after the insert,
// the first session sets last_sign_in_at) announces one user.created that
// already shows the user as committed; nobody could have seen the state in
// between.
func (tx *Tx) addUserEventData(ctx context.Context, typ, userID string, data []byte) error {
	if typ == latchkey.EventUserUpdated {
		if e := tx.pendingEvent(latchkey.EventUserCreated, userID); e != nil {
			e.Data = data
			return nil
		}
	}
	return tx.AddEvent(ctx, &latchkey.Event{Type: typ, ObjectID: userID, Data: data})
}

// pendingEvent returns the last event of type typ for objectID added to the
// transaction and not yet written, or nil.
func (tx *Tx) pendingEvent(typ, objectID string) *latchkey.Event {
	for i := len(tx.events) - 1; i >= 0; i-- {
		if e := tx.events[i]; e.Type == typ && e.ObjectID == objectID {
			return e
		}
	}
	return nil
}

// userJSON returns the user as the Backend API returns it, read in the
// transaction. The API never shows tokens, so the external accounts are read
// without them.
func (tx *Tx) userJSON(ctx context.Context, userID string) ([]byte, error) {
	u, err := userByID(ctx, tx.conn, userID)
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT id, provider_id, provider_user_id, email_address, first_name, last_name,
		username, avatar_url, created_at, updated_at FROM external_accounts WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("external accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a := &latchkey.ExternalAccount{UserID: userID}
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.ProviderID, &a.ProviderUserID, &a.EmailAddress, &a.FirstName, &a.LastName,
			&a.Username, &a.AvatarURL, &created, &updated); err != nil {
			return nil, fmt.Errorf("external accounts: %w", err)
		}
		a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
		u.ExternalAccounts = append(u.ExternalAccounts, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("external accounts: %w", err)
	}
	rows.Close()
	return json.Marshal(wire.NewUser(u, tx.now))
}

// addEventJSON writes an event whose data is v as JSON.
func (tx *Tx) addEventJSON(ctx context.Context, typ, objectID string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%s event: %w", typ, err)
	}
	return tx.AddEvent(ctx, &latchkey.Event{Type: typ, ObjectID: objectID, Data: data})
}
