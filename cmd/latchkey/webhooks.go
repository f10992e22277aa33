package main

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// alertMailer is what the operator alert needs of the mailer: mail that
// goes straight to the sender, with no email.created event and whatever
// mail.delivery says (*mailer's SendOperator).
type alertMailer interface {
	SendOperator(ctx context.Context, kind, to string, data map[string]string) error
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
// for failing (the store has already written it to the audit log). The
// mail shows the endpoint's URL without its query and fragment, which may
// hold a credential for the receiver.
func alertOperators(settings func() *latchkey.Settings, m alertMailer, log *slog.Logger) func(context.Context, []sqlstore.DisabledEndpoint) {
	return func(ctx context.Context, disabled []sqlstore.DisabledEndpoint) {
		to := settings().Webhooks.AlertEmails
		if len(to) == 0 {
			log.Warn("webhook endpoints were disabled and no operator is told: set webhooks.alert_emails", "endpoints", len(disabled))
			return
		}
		for _, e := range disabled {
			data := map[string]string{
				"endpoint_url":  urlWithoutQuery(e.URL),
				"endpoint_id":   e.ID,
				"failing_since": e.FailingSince.UTC().Format(time.RFC1123),
				"last_error":    e.LastError,
			}
			for _, addr := range to {
				if err := m.SendOperator(ctx, mail.KindWebhookEndpointDisabled, addr, data); err != nil {
					log.Error("mail the operators about a disabled webhook endpoint", "endpoint_id", e.ID, "err", err)
				}
			}
		}
	}
}

// urlWithoutQuery returns raw without its query, fragment and user
// information, for showing a webhook endpoint's URL where a credential
// must not appear.
func urlWithoutQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}
