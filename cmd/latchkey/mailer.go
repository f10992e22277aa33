package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// mailer renders the instance's branded mail, records it as an email.created
// event and hands it to a sender (SMTP, or the dev inbox). It is the auth
// package's Mailer.
type mailer struct {
	sender   mail.Sender
	settings func() *latchkey.Settings
	store    *sqlstore.Store
	// from is the sender's own From address (LATCHKEY_MAIL_FROM), which the
	// mail goes out with when the settings name none; the event shows it.
	from string
}

func (m *mailer) Send(ctx context.Context, kind, to string, data map[string]string) error {
	set := m.settings()
	msg, err := mail.Render(kind, "en", set.Branding, data)
	if err != nil {
		return fmt.Errorf("render %s mail: %w", kind, err)
	}
	msg.To = to
	msg.From, msg.FromName, msg.ReplyTo = set.Mail.FromAddress, set.Mail.FromName, set.Mail.ReplyTo
	if msg.FromName == "" {
		msg.FromName = set.Branding.ApplicationName
	}
	// The event is written here, in a transaction of its own, and not with
	// the change that caused the mail: mail goes out after that change has
	// committed (a code is sent once its challenge is stored), so this is
	// the first moment the mail exists. It is written before the mail is
	// handed over, and a failure stops the mail: every mail sent has its
	// event, though an event may stand for a mail the sender then failed to
	// send. The event carries the code or link the mail carries, and
	// msg.Data only values the mail shows: an app delivering its own mail
	// needs exactly those, and nothing more.
	from := msg.From
	if from == "" {
		from = m.from
	}
	err = m.store.AddEmailEvent(ctx, sqlstore.EmailEvent{
		ID: latchkey.NewID(latchkey.PrefixEmail), Slug: kind,
		FromEmailName: msg.FromName, FromEmailAddress: from, ToEmailAddress: to, ReplyToEmailAddress: msg.ReplyTo,
		Subject: msg.Subject, Body: msg.HTML, BodyPlain: msg.Text, Data: msg.Data,
		DeliveredByLatchkey: set.Mail.Delivery != latchkey.MailDeliveryApp,
	})
	if err != nil {
		return fmt.Errorf("%s mail: %w", kind, err)
	}
	if set.Mail.Delivery == latchkey.MailDeliveryApp {
		return nil // the app sends it, from the email.created event
	}
	if err := m.sender.Send(ctx, msg); err != nil {
		return fmt.Errorf("send %s mail: %w", kind, err)
	}
	return nil
}

// smtpFromURL parses LATCHKEY_SMTP_URL: smtp://user:password@host:587
// (STARTTLS required), smtps://...:465 (implicit TLS), or
// smtp://host:25?tls=none (plain, loopback only). from is the default sender.
func smtpFromURL(raw, from string) (*mail.SMTPSender, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("LATCHKEY_SMTP_URL: write smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465")
	}
	cfg := mail.SMTPConfig{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtp":
		cfg.TLS, cfg.Port = mail.TLSStartTLS, 587
		switch u.Query().Get("tls") {
		case "", "starttls":
		case "optional":
			cfg.TLS = mail.TLSStartTLSOptional
		case "none":
			cfg.TLS, cfg.Port = mail.TLSNone, 25
		default:
			return nil, errors.New("LATCHKEY_SMTP_URL: tls must be starttls (default), optional or none")
		}
	case "smtps":
		cfg.TLS, cfg.Port = mail.TLSImplicit, 465
	default:
		return nil, errors.New("LATCHKEY_SMTP_URL: the scheme must be smtp or smtps")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, errors.New("LATCHKEY_SMTP_URL: the port is not a number")
		}
		cfg.Port = n
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
	}
	if from == "" {
		return nil, errors.New("LATCHKEY_MAIL_FROM is not set: set the sender address, such as no-reply@example.com")
	}
	if _, _, err := net.SplitHostPort(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))); err != nil {
		return nil, fmt.Errorf("LATCHKEY_SMTP_URL: %w", err)
	}
	return mail.NewSMTPSender(cfg)
}
