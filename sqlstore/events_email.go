package sqlstore

import (
	"context"
	"maps"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/wire"
)

// EmailEvent is a rendered email about to be handed to the sender, for
// AddEmailEvent.
type EmailEvent struct {
	ID                  string // a latchkey.PrefixEmail ID; a new one when empty
	Slug                string // the mail kind, such as verification_code
	FromEmailName       string
	FromEmailAddress    string
	ToEmailAddress      string
	ReplyToEmailAddress string // empty: none
	Subject             string
	Body                string // HTML
	BodyPlain           string
	// Data is the values the mail was rendered from. It may hold a code or
	// a link, which the body holds too, when the app delivers the mail
	// from the event. It must hold nothing the mail does not show.
	Data map[string]string
	// DeliveredByLatchkey is false when the app delivers the mail itself
	// (mail.delivery "app").
	DeliveredByLatchkey bool
	// Redacted says the mail's codes and links were replaced by
	// "[redacted]" in the subject, the bodies and Data: the caller does so
	// when Latchkey delivers the mail, so the event, kept for
	// events.retention_days, holds no live credential.
	Redacted bool
}

// AddEmailEvent writes email.created for e in a transaction of its own (with
// a new ID when e has none: the caller that wants to know it sets it). Mail
// is sent after the change that caused it
// has committed, so its event cannot share that change's transaction; the
// caller writes it before handing the mail to the sender, so no mail leaves
// without its event (one may have an event and then fail to send).
func (s *Store) AddEmailEvent(ctx context.Context, e EmailEvent) error {
	if e.ID == "" {
		e.ID = latchkey.NewID(latchkey.PrefixEmail)
	}
	return s.withTx(ctx, func(tx *Tx) error {
		data := maps.Clone(e.Data)
		if data == nil {
			data = map[string]string{}
		}
		return tx.addEventJSON(ctx, latchkey.EventEmailCreated, e.ID, wire.Email{
			Object: "email", ID: e.ID, Slug: e.Slug,
			FromEmailName: e.FromEmailName, FromEmailAddress: e.FromEmailAddress,
			ToEmailAddress: e.ToEmailAddress, ReplyToEmailAddress: wire.OptString(e.ReplyToEmailAddress),
			Subject: e.Subject, Body: e.Body, BodyPlain: e.BodyPlain,
			Status: wire.EmailQueued, Data: data, DeliveredByLatchkey: e.DeliveredByLatchkey, Redacted: e.Redacted,
			CreatedAt: latchkey.Millis(tx.now),
		})
	})
}
