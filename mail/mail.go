// Package mail renders and sends Latchkey's transactional mail: verification
// codes, magic links, password resets, security notices and operator alerts.
//
// Render turns a message kind, a locale and the instance's branding into a
// Message with a plain-text and an HTML body. Every string comes from one
// catalog (catalog.go), so a locale is added in one place. The HTML body is
// produced by html/template, so application names, browser strings and the
// like are escaped; links must be absolute http(s) URLs, anything else is an
// error; styles are inline (mail clients drop style sheets).
//
// A Sender delivers a Message. SMTPSender speaks SMTP with implicit TLS or
// STARTTLS and optional authentication; it never logs, and its errors never
// contain the password. Inbox is the development sender: it keeps the latest
// messages in memory, with the codes and links found in them, for the
// /dev/inbox pages and for tests.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"time"
)

// Message kinds, one per template.
const (
	KindVerificationCode  = "verification_code"
	KindMagicLink         = "magic_link"
	KindPasswordResetCode = "password_reset_code"
	KindPasswordResetLink = "password_reset_link"
	KindNewDeviceSignIn   = "new_device_sign_in"
	KindPasswordChanged   = "password_changed"
	// KindWebhookEndpointDisabled tells an operator that a webhook endpoint
	// was disabled for failing, and how to enable it and replay what it
	// missed. It goes to the operator, not to a user.
	KindWebhookEndpointDisabled = "webhook_endpoint_disabled"
)

// Message is one rendered mail to one recipient.
type Message struct {
	To      string
	Subject string
	Text    string // text/plain body
	HTML    string // text/html body
	// Kind is one of the Kind constants.
	Kind string
	// Data holds the values the message was rendered from (code, link,
	// expires_in_minutes, ...), so tests and the dev inbox can read them
	// without parsing the body. Senders never put it on the wire.
	Data      map[string]string
	CreatedAt time.Time

	// From, FromName and ReplyTo override the sender's configured From
	// header and add a Reply-To (the instance's mail settings); empty means
	// the sender's default.
	From     string
	FromName string
	ReplyTo  string

	// ID, Codes and Links are set by Inbox on the messages it stores: an
	// opaque ID, the 6-digit codes and the http(s) links in Text.
	ID    string
	Codes []string
	Links []string
}

// Sender delivers a message. Implementations are safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage is wrapped by Send when a message cannot be sent as it
// is (no recipient, an unparsable address, no subject or no body).
var ErrInvalidMessage = errors.New("invalid message")

// check rejects a message no sender should accept.
func check(m Message) error {
	if m.To == "" {
		return fmt.Errorf("%w: no recipient", ErrInvalidMessage)
	}
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("%w: recipient is not an email address", ErrInvalidMessage)
	}
	if m.Subject == "" {
		return fmt.Errorf("%w: no subject", ErrInvalidMessage)
	}
	if m.Text == "" {
		return fmt.Errorf("%w: no text body", ErrInvalidMessage)
	}
	return nil
}
