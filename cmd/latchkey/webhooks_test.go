package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

type sentMail struct{ kind, to string }

type fakeAlertMailer struct {
	mu   sync.Mutex
	sent []sentMail
	data []map[string]string
}

func (m *fakeAlertMailer) SendOperator(_ context.Context, kind, to string, data map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, sentMail{kind, to})
	m.data = append(m.data, data)
	return nil
}

// TestAlertOperators: every address in webhooks.alert_emails gets a mail
// per disabled endpoint; without addresses, the log says no one was told.
func TestAlertOperators(t *testing.T) {
	t.Parallel()
	settings := latchkey.DefaultSettings()
	settings.Webhooks.AlertEmails = []string{"ops@example.com", "oncall@example.com"}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	m := &fakeAlertMailer{}
	since := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	// The query and fragment may hold a credential for the receiver: the
	// mail leaves them out.
	disabled := []sqlstore.DisabledEndpoint{{ID: "whep_1", URL: "https://hooks.example/a?token=s3cret#k=s3cret", FailingSince: since, LastError: "HTTP 500"}}
	alertOperators(func() *latchkey.Settings { return settings }, m, log)(context.Background(), disabled)
	if len(m.sent) != 2 || m.sent[0] != (sentMail{"webhook_endpoint_disabled", "ops@example.com"}) || m.sent[1].to != "oncall@example.com" {
		t.Fatalf("sent %+v", m.sent)
	}
	if d := m.data[0]; d["endpoint_url"] != "https://hooks.example/a" || d["endpoint_id"] != "whep_1" || d["last_error"] != "HTTP 500" ||
		!strings.Contains(d["failing_since"], "2030") {
		t.Errorf("mail data = %v", d)
	}

	none := latchkey.DefaultSettings()
	m2 := &fakeAlertMailer{}
	alertOperators(func() *latchkey.Settings { return none }, m2, log)(context.Background(), disabled)
	if len(m2.sent) != 0 || !strings.Contains(logs.String(), "set webhooks.alert_emails") {
		t.Errorf("without alert_emails: sent %v, log %q", m2.sent, logs.String())
	}
}

// TestAlertMailRenders: the data alertOperators sends is exactly what the
// webhook_endpoint_disabled mail takes.
func TestAlertMailRenders(t *testing.T) {
	t.Parallel()
	m := &fakeAlertMailer{}
	settings := latchkey.DefaultSettings()
	settings.Webhooks.AlertEmails = []string{"ops@example.com"}
	alertOperators(func() *latchkey.Settings { return settings }, m, slog.New(slog.DiscardHandler))(context.Background(),
		[]sqlstore.DisabledEndpoint{{ID: "whep_1", URL: "https://hooks.example/a", FailingSince: time.Now(), LastError: ""}})
	msg, err := mail.Render(m.sent[0].kind, "en", settings.Branding, m.data[0])
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if !strings.Contains(msg.Text, "https://hooks.example/a") || !strings.Contains(msg.Text, "whep_1") {
		t.Errorf("mail text = %q", msg.Text)
	}
}

// TestAlertOperatorsDeliveryApp: operator alerts are Latchkey's own mail.
// With mail.delivery "app" (the app sends its users' mail from
// email.created) they still reach the sender, and write no email.created.
func TestAlertOperatorsDeliveryApp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, store *sqlstore.Store) {
		settings := latchkey.DefaultSettings()
		settings.Mail.Delivery = latchkey.MailDeliveryApp
		settings.Webhooks.AlertEmails = []string{"ops@example.com"}
		inbox := mail.NewInbox(10)
		m := &mailer{sender: inbox, settings: func() *latchkey.Settings { return settings }, store: store, from: "auth@acme.example"}
		var logs bytes.Buffer
		alertOperators(m.settings, m, slog.New(slog.NewTextHandler(&logs, nil)))(t.Context(), []sqlstore.DisabledEndpoint{
			{ID: "whep_1", URL: "https://hooks.example/a?key=s3cret", FailingSince: time.Now(), LastError: "HTTP 500"}})
		got, ok := inbox.Latest("ops@example.com")
		if !ok || got.Kind != mail.KindWebhookEndpointDisabled {
			t.Fatalf("the alert did not reach the sender (log %q)", logs.String())
		}
		if !strings.Contains(got.Text, "https://hooks.example/a") || strings.Contains(got.Text, "s3cret") || strings.Contains(got.HTML, "s3cret") {
			t.Errorf("alert text = %q", got.Text)
		}
		if evs := emailEvents(t, store); len(evs) != 0 {
			t.Errorf("the operator alert wrote %d email.created events", len(evs))
		}

		// A sender that fails is logged.
		m.sender = failingSender{}
		alertOperators(m.settings, m, slog.New(slog.NewTextHandler(&logs, nil)))(t.Context(), []sqlstore.DisabledEndpoint{
			{ID: "whep_2", URL: "https://hooks.example/b", FailingSince: time.Now()}})
		if !strings.Contains(logs.String(), "whep_2") || !strings.Contains(logs.String(), "smtp down") {
			t.Errorf("a failed alert is not logged: %q", logs.String())
		}
	})
}

func TestURLWithoutQuery(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://hooks.example/a":                      "https://hooks.example/a",
		"https://hooks.example/a?token=x":              "https://hooks.example/a",
		"https://hooks.example:8443/a/b?token=x#frag":  "https://hooks.example:8443/a/b",
		"https://hooks.example/a?":                     "https://hooks.example/a",
		"https://user:pw@hooks.example/a#access_token": "https://hooks.example/a",
		"%": "(unparseable URL)",
	} {
		if got := urlWithoutQuery(in); got != want {
			t.Errorf("urlWithoutQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
