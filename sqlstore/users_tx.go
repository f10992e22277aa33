package sqlstore

import (
	"context"

	"github.com/latchkeyhq/latchkey"
)

// CreateUser inserts u and its identifiers in the transaction, as
// Store.CreateUser does on its own: so a flow can create a user together with
// what depends on it (a session, a completed sign-up) or not at all. A taken
// identifier is a *latchkey.Error with code form_identifier_exists; on
// PostgreSQL it also aborts the transaction, which the caller must then roll
// back.
func (tx *Tx) CreateUser(ctx context.Context, u *latchkey.User) error {
	return createUser(ctx, tx, u)
}
