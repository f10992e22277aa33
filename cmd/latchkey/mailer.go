package main

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

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

// secretMailData names, by kind, the data values that are credentials: a
// code or a link that signs in, verifies or resets a password. The links of
// the notices (new_device_sign_in, password_changed) lead to a page and
// hold nothing secret.
var secretMailData = map[string][]string{
	mail.KindVerificationCode:  {"code"},
	mail.KindMagicLink:         {"link"},
	mail.KindPasswordResetCode: {"code"},
	mail.KindPasswordResetLink: {"link"},
}

// render renders a mail of kind to to with the instance's branding and
// mail settings.
func (m *mailer) render(set *latchkey.Settings, kind, to string, data map[string]string) (mail.Message, error) {
	msg, err := mail.Render(kind, "en", set.Branding, data)
	if err != nil {
		return mail.Message{}, fmt.Errorf("render %s mail: %w", kind, err)
	}
	msg.To = to
	msg.From, msg.FromName, msg.ReplyTo = set.Mail.FromAddress, set.Mail.FromName, set.Mail.ReplyTo
	if msg.FromName == "" {
		msg.FromName = set.Branding.ApplicationName
	}
	return msg, nil
}

// send hands a rendered message to the sender.
func (m *mailer) send(ctx context.Context, msg mail.Message) error {
	if err := m.sender.Send(ctx, msg); err != nil {
		return fmt.Errorf("send %s mail: %w", msg.Kind, err)
	}
	return nil
}

// Send renders a mail for a user, records it as an email.created event and,
// unless the app delivers mail itself (mail.delivery "app"), sends it.
func (m *mailer) Send(ctx context.Context, kind, to string, data map[string]string) error {
	set := m.settings()
	msg, err := m.render(set, kind, to, data)
	if err != nil {
		return err
	}
	// The event is written here, in a transaction of its own, and not with
	// the change that caused the mail: mail goes out after that change has
	// committed (a code is sent once its challenge is stored), so this is
	// the first moment the mail exists. It is written before the mail is
	// handed over, and a failure stops the mail: every mail sent has its
	// event, though an event may stand for a mail the sender then failed to
	// send.
	//
	// When Latchkey delivers the mail, the event is a record and needs no
	// live credential: the codes and links are replaced by [redacted], as
	// challenges keep only their digests. When the app delivers it, the
	// event is the delivery and carries them, with msg.Data holding only
	// values the mail shows: an app delivering its own mail needs exactly
	// those, and nothing more.
	app := set.Mail.Delivery == latchkey.MailDeliveryApp
	from := msg.From
	if from == "" {
		from = m.from
	}
	ev := sqlstore.EmailEvent{
		ID: latchkey.NewID(latchkey.PrefixEmail), Slug: kind,
		FromEmailName: msg.FromName, FromEmailAddress: from, ToEmailAddress: to, ReplyToEmailAddress: msg.ReplyTo,
		Subject: msg.Subject, Body: msg.HTML, BodyPlain: msg.Text, Data: msg.Data,
		DeliveredByLatchkey: !app,
	}
	if !app {
		ev.Subject, ev.Body, ev.BodyPlain, ev.Data, ev.Redacted = redactMail(msg, secretMailData[kind])
	}
	if err := m.store.AddEmailEvent(ctx, ev); err != nil {
		return fmt.Errorf("%s mail: %w", kind, err)
	}
	if app {
		return nil // the app sends it, from the email.created event
	}
	return m.send(ctx, msg)
}

// SendOperator renders a mail for the instance's operators (an alert) and
// hands it to the sender directly: it is Latchkey's own operational mail,
// so it has no email.created event and goes out whatever mail.delivery
// says (an app that delivers its users' mail still wants its operators
// told when that pipeline, or a webhook endpoint, breaks).
func (m *mailer) SendOperator(ctx context.Context, kind, to string, data map[string]string) error {
	msg, err := m.render(m.settings(), kind, to, data)
	if err != nil {
		return err
	}
	return m.send(ctx, msg)
}

// redacted replaces a secret in a recorded mail.
const redacted = "[redacted]"

// redactMail returns msg's subject, bodies and data with every occurrence of
// the values of data keys secret replaced by [redacted] (the HTML body
// holds them escaped, in text and in href attributes, so each escaped form
// is replaced too), and whether there was anything to replace.
func redactMail(msg mail.Message, secret []string) (subject, html, text string, data map[string]string, did bool) {
	subject, html, text, data = msg.Subject, msg.HTML, msg.Text, maps.Clone(msg.Data)
	var pairs []string
	for _, k := range secret {
		v := msg.Data[k]
		if v == "" {
			continue
		}
		for _, form := range escapedForms(v) {
			pairs = append(pairs, form, redacted)
		}
	}
	if len(pairs) == 0 {
		return subject, html, text, data, false
	}
	r := strings.NewReplacer(pairs...)
	subject, html, text = r.Replace(subject), r.Replace(html), r.Replace(text)
	for k, v := range data {
		data[k] = r.Replace(v)
	}
	return subject, html, text, data, true
}

// escapeProbe shows how html/template writes a value in an attribute
// holding a URL and in text, the two places a mail template puts a code or
// a link.
var escapeProbe = htmltemplate.Must(htmltemplate.New("probe").Parse(`<a href="{{.}}">{{.}}</a>`))

// escapedForms returns v and the forms html/template writes it in, longest
// first so a Replacer replaces whole forms.
func escapedForms(v string) []string {
	forms := []string{v}
	var b strings.Builder
	if escapeProbe.Execute(&b, v) == nil {
		out := b.String()
		href, rest, ok := strings.Cut(strings.TrimPrefix(out, `<a href="`), `">`)
		if ok {
			forms = append(forms, href, strings.TrimSuffix(rest, "</a>"))
		}
	}
	slices.SortFunc(forms, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	return slices.Compact(forms)
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
