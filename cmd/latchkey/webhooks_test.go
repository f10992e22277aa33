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
)

type sentMail struct{ kind, to string }

type fakeAlertMailer struct {
	mu   sync.Mutex
	sent []sentMail
	data []map[string]string
}

func (m *fakeAlertMailer) Send(_ context.Context, kind, to string, data map[string]string) error {
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
	disabled := []sqlstore.DisabledEndpoint{{ID: "whep_1", URL: "https://hooks.example/a", FailingSince: since, LastError: "HTTP 500"}}
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
