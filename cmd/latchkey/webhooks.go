package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// alertMailer is what the operator alert needs of the mailer.
type alertMailer interface {
	Send(ctx context.Context, kind, to string, data map[string]string) error
}

// newDispatcher builds the webhook dispatcher: requests go through the
// SSRF guard with the configured allowances.
func newDispatcher(c *config, store *sqlstore.Store, box *seal.Box, inst *instance.Service, m alertMailer, log *slog.Logger) *delivery.Dispatcher {
	return delivery.New(delivery.Config{
		Store:      store,
		Box:        box,
		Client:     netguard.NewClient(c.WebhookNet, nil),
		InstanceID: func() string { return inst.Instance().ID },
		Notify:     alertOperators(inst.Settings, m, log),
		Log:        log,
	})
}

// alertOperators mails webhooks.alert_emails about each endpoint disabled
// for failing (the store has already written it to the audit log).
func alertOperators(settings func() *latchkey.Settings, m alertMailer, log *slog.Logger) func(context.Context, []sqlstore.DisabledEndpoint) {
	return func(ctx context.Context, disabled []sqlstore.DisabledEndpoint) {
		to := settings().Webhooks.AlertEmails
		if len(to) == 0 {
			log.Warn("webhook endpoints were disabled and no operator is told: set webhooks.alert_emails", "endpoints", len(disabled))
			return
		}
		for _, e := range disabled {
			data := map[string]string{
				"endpoint_url":  e.URL,
				"endpoint_id":   e.ID,
				"failing_since": e.FailingSince.UTC().Format(time.RFC1123),
				"last_error":    e.LastError,
			}
			for _, addr := range to {
				if err := m.Send(ctx, "webhook_endpoint_disabled", addr, data); err != nil {
					log.Error("mail the operators about a disabled webhook endpoint", "endpoint_id", e.ID, "err", err)
				}
			}
		}
	}
}
