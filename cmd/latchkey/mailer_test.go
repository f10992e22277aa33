package main

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/wire"
)

// failingSender refuses every message.
type failingSender struct{}

func (failingSender) Send(context.Context, mail.Message) error { return errors.New("smtp down") }

func emailEvents(t *testing.T, s *sqlstore.Store) []*latchkey.Event {
	t.Helper()
	evs, _, err := s.Events(t.Context(), sqlstore.EventFilter{Types: []string{latchkey.EventEmailCreated}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// Every mail the mailer sends is first written as an email.created event
// carrying the rendered message, its code redacted since Latchkey delivers
// it; if the event cannot be written, the mail is not sent.
func TestMailerWritesEmailCreated(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := t.Context()
		set := &latchkey.Settings{
			Branding: latchkey.BrandingSettings{ApplicationName: "Acme"},
			Mail:     latchkey.MailSettings{ReplyTo: "help@acme.example"},
		}
		inbox := mail.NewInbox(10)
		m := &mailer{sender: inbox, settings: func() *latchkey.Settings { return set }, store: store, from: "auth@acme.example"}

		if err := m.Send(ctx, mail.KindVerificationCode, "ada@example.com", map[string]string{"code": "135790"}); err != nil {
			t.Fatal(err)
		}
		sent, ok := inbox.Latest("ada@example.com")
		if !ok {
			t.Fatal("no mail sent")
		}
		evs := emailEvents(t, store)
		if len(evs) != 1 {
			t.Fatalf("%d email.created events, want 1", len(evs))
		}
		e := evs[0]
		var got wire.Email
		if err := json.Unmarshal(e.Data, &got); err != nil {
			t.Fatal(err)
		}
		if e.ObjectID != got.ID || !strings.HasPrefix(got.ID, latchkey.PrefixEmail+"_") || e.Sequence != 1 {
			t.Errorf("event object %s, data id %s, sequence %d", e.ObjectID, got.ID, e.Sequence)
		}
		if !strings.Contains(sent.Subject, "135790") || !strings.Contains(sent.Text, "135790") || !strings.Contains(sent.HTML, "135790") {
			t.Fatalf("the mail sent lacks its code: %+v", sent)
		}
		red := func(s string) string { return strings.ReplaceAll(s, "135790", "[redacted]") }
		data := maps.Clone(sent.Data)
		data["code"] = "[redacted]"
		want := wire.Email{
			Object: "email", ID: got.ID, Slug: mail.KindVerificationCode,
			FromEmailName: "Acme", FromEmailAddress: "auth@acme.example", ToEmailAddress: "ada@example.com",
			ReplyToEmailAddress: wire.OptString("help@acme.example"),
			Subject:             red(sent.Subject), Body: red(sent.HTML), BodyPlain: red(sent.Text), Status: "queued",
			Data: data, DeliveredByLatchkey: true, Redacted: true, CreatedAt: latchkey.Millis(e.CreatedAt),
		}
		if g, w := mustJSON(t, got), mustJSON(t, want); g != w {
			t.Errorf("email.created data =\n%s\nwant\n%s", g, w)
		}
		if strings.Contains(string(e.Data), "135790") {
			t.Errorf("the event of a mail Latchkey delivers holds its code: %s", e.Data)
		}
		var keys map[string]json.RawMessage
		json.Unmarshal(e.Data, &keys)
		for _, k := range []string{"object", "id", "slug", "from_email_name", "from_email_address", "to_email_address",
			"reply_to_email_address", "subject", "body", "body_plain", "status", "delivered_by_latchkey", "redacted", "created_at"} {
			if _, ok := keys[k]; !ok {
				t.Errorf("email.created data lacks %q", k)
			}
		}

		// The settings' From address wins over the sender's default.
		set = &latchkey.Settings{Mail: latchkey.MailSettings{FromAddress: "no-reply@acme.example", FromName: "Acme Auth"}}
		if err := m.Send(ctx, mail.KindPasswordChanged, "ada@example.com", nil); err != nil {
			t.Fatal(err)
		}
		evs = emailEvents(t, store)
		json.Unmarshal(evs[len(evs)-1].Data, &got)
		if got.FromEmailAddress != "no-reply@acme.example" || got.FromEmailName != "Acme Auth" || got.ReplyToEmailAddress != nil ||
			got.Slug != mail.KindPasswordChanged || got.Redacted {
			t.Errorf("second email.created = %+v", got)
		}

		// A sender failure comes after the event: it stays (the mail was
		// queued) and the error is returned.
		bad := &mailer{sender: failingSender{}, settings: m.settings, store: store}
		if err := bad.Send(ctx, mail.KindPasswordChanged, "ada@example.com", nil); err == nil {
			t.Error("a failed send returned no error")
		}
		if n := len(emailEvents(t, store)); n != 3 {
			t.Errorf("%d email.created events after a failed send, want 3", n)
		}

		// mail.delivery "app": the event is the only delivery.
		set = &latchkey.Settings{Mail: latchkey.MailSettings{Delivery: latchkey.MailDeliveryApp}}
		before := len(inbox.Messages())
		if err := m.Send(ctx, mail.KindVerificationCode, "cy@example.com", map[string]string{"code": "112233"}); err != nil {
			t.Fatal(err)
		}
		if len(inbox.Messages()) != before {
			t.Error("Latchkey sent a mail the app delivers")
		}
		evs = emailEvents(t, store)
		json.Unmarshal(evs[len(evs)-1].Data, &got)
		if got.ToEmailAddress != "cy@example.com" || got.DeliveredByLatchkey || got.Data["code"] != "112233" || got.Redacted ||
			!strings.Contains(got.Subject, "112233") || !strings.Contains(got.BodyPlain, "112233") || !strings.Contains(got.Body, "112233") {
			t.Errorf("app-delivered email.created = %+v", got)
		}
		set = &latchkey.Settings{}

		// No event, no mail.
		closed := storetest.Open(t, store.Engine())
		closed.Close()
		m.store = closed
		before = len(inbox.Messages())
		if err := m.Send(ctx, mail.KindVerificationCode, "bob@example.com", map[string]string{"code": "246802"}); err == nil {
			t.Error("Send succeeded without its event")
		}
		if len(inbox.Messages()) != before {
			t.Error("a mail went out without its email.created event")
		}
	})
}

// TestMailerRedactsLinks: with Latchkey delivering, no form of a link's
// token (raw, or escaped by the HTML template in text and in href) stays
// in email.created, for every kind that carries a code or a link; the
// notices keep their (non-secret) links.
func TestMailerRedactsLinks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, store *sqlstore.Store) {
		set := latchkey.DefaultSettings()
		inbox := mail.NewInbox(10)
		m := &mailer{sender: inbox, settings: func() *latchkey.Settings { return set }, store: store, from: "auth@acme.example"}
		// A link whose query the HTML template escapes differently in
		// text (&amp;, &#39;, &#43;) and in href (%27, %c3%a9).
		link := "https://app.example/v1/verify?token=TOKEN-Zq9_x&n=1'+\u00e9(z)"
		for _, tc := range []struct {
			kind   string
			data   map[string]string
			secret string
		}{
			{mail.KindVerificationCode, map[string]string{"code": "864213"}, "864213"},
			{mail.KindPasswordResetCode, map[string]string{"code": "Q7W3E5R1"}, "Q7W3E5R1"},
			{mail.KindMagicLink, map[string]string{"link": link}, "TOKEN-Zq9_x"},
			{mail.KindPasswordResetLink, map[string]string{"link": link}, "TOKEN-Zq9_x"},
		} {
			if err := m.Send(t.Context(), tc.kind, "ada@example.com", tc.data); err != nil {
				t.Fatal(err)
			}
			sent, _ := inbox.Latest("ada@example.com")
			if !strings.Contains(sent.Text, tc.secret) || !strings.Contains(sent.HTML, tc.secret) {
				t.Fatalf("%s: the mail sent lacks its secret", tc.kind)
			}
			evs := emailEvents(t, store)
			e := evs[len(evs)-1]
			var got wire.Email
			json.Unmarshal(e.Data, &got)
			if strings.Contains(string(e.Data), tc.secret) || strings.Contains(string(e.Data), "app.example") || !got.Redacted ||
				!strings.Contains(got.BodyPlain, "[redacted]") || !strings.Contains(got.Body, "[redacted]") {
				t.Errorf("%s: email.created = %s", tc.kind, e.Data)
			}
		}
		// A notice's link is a page to visit, not a credential: kept.
		if err := m.Send(t.Context(), mail.KindPasswordChanged, "ada@example.com", map[string]string{"link": "https://app.example/account"}); err != nil {
			t.Fatal(err)
		}
		evs := emailEvents(t, store)
		var got wire.Email
		json.Unmarshal(evs[len(evs)-1].Data, &got)
		if got.Redacted || got.Data["link"] != "https://app.example/account" || !strings.Contains(got.BodyPlain, "https://app.example/account") {
			t.Errorf("password_changed email.created = %+v", got)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
