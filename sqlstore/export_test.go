package sqlstore

import (
	"context"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

// Transaction-level steps exported for the lock tests, which hold one
// change open while another commits.

func (tx *Tx) DeleteWebhookEndpointInTx(ctx context.Context, id string) error {
	return tx.deleteWebhookEndpoint(ctx, id)
}

func (tx *Tx) LockWebhookEndpoint(ctx context.Context, box *seal.Box, id string) (*latchkey.WebhookEndpoint, error) {
	return lockWebhookEndpoint(ctx, tx, box, id)
}
