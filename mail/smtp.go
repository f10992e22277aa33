package mail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/latchkeyhq/latchkey"
)

// TLS modes of an SMTP connection.
const (
	// TLSImplicit is SMTPS: TLS from the first byte (RFC 8314), port 465.
	TLSImplicit = "implicit"
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses a
	// server that does not offer it. Port 587.
	TLSStartTLS = "starttls"
	// TLSStartTLSOptional uses STARTTLS when offered and sends in the clear
	// otherwise. Passwords are still never sent in the clear to a host
	// other than localhost.
	TLSStartTLSOptional = "starttls_optional"
	// TLSNone never encrypts. It is accepted only for a loopback host (a
	// local mail catcher or relay).
	TLSNone = "none"
)

// DefaultSMTPTimeout bounds connecting and each SMTP command.
const DefaultSMTPTimeout = 15 * time.Second

// SMTPConfig configures an SMTPSender.
type SMTPConfig struct {
	Host string
	// Port defaults to 465 for TLSImplicit, 25 for TLSNone and 587 otherwise.
	Port     int
	Username string // no authentication when empty
	Password string
	// Auth is the SASL mechanism: "plain" (the default) or "login".
	Auth string
	// TLS is one of the TLS constants. Empty means TLSImplicit on port 465
	// and TLSStartTLS on any other port.
	TLS string
	// TLSConfig, if set, is used for the TLS handshake (a private CA in
	// RootCAs, a client certificate). ServerName defaults to Host and the
	// minimum version is TLS 1.2.
	TLSConfig *tls.Config
	// From is the envelope sender and From address; FromName its display
	// name. A Message's From and FromName override them.
	From     string
	FromName string
	// HELO is the name sent in EHLO; it defaults to the machine's hostname.
	HELO string
	// Timeout defaults to DefaultSMTPTimeout.
	Timeout time.Duration
}

// ErrSMTPAuth is wrapped by SMTPSender.Send when the server rejects the
// username and password or offers no usable mechanism.
var ErrSMTPAuth = errors.New("smtp authentication failed")

// SMTPSender sends messages over SMTP, one connection per message. It is
// safe for concurrent use and never logs.
type SMTPSender struct {
	cfg  SMTPConfig
	addr string // host:port, for errors
	opts []gomail.Option
}

// NewSMTPSender checks cfg and returns a sender. It does not connect.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: host is required")
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
		if cfg.Port == 465 {
			cfg.TLS = TLSImplicit
		}
	}
	if cfg.Port == 0 {
		switch cfg.TLS {
		case TLSImplicit:
			cfg.Port = 465
		case TLSNone:
			cfg.Port = 25
		default:
			cfg.Port = 587
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d is not a TCP port", cfg.Port)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultSMTPTimeout
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("smtp: timeout must be positive")
	}
	if cfg.From == "" {
		return nil, errors.New("smtp: from address is required")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp: from address %q is not an email address", cfg.From)
	}
	if cfg.Password != "" && cfg.Username == "" {
		return nil, errors.New("smtp: a password is set but no username")
	}

	tc := &tls.Config{}
	if cfg.TLSConfig != nil {
		tc = cfg.TLSConfig.Clone()
	}
	if tc.ServerName == "" {
		tc.ServerName = cfg.Host
	}
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(tc),
	}
	switch cfg.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSStartTLSOptional:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case TLSNone:
		if !isLoopback(cfg.Host) {
			return nil, fmt.Errorf("smtp: tls mode %q is allowed only for localhost or a loopback address, not %q; use %q or %q",
				TLSNone, cfg.Host, TLSStartTLS, TLSImplicit)
		}
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: tls mode %q is not one of %s, %s, %s, %s",
			cfg.TLS, TLSImplicit, TLSStartTLS, TLSStartTLSOptional, TLSNone)
	}
	if cfg.Username != "" {
		// A fixed mechanism, not auto-discovery: go-mail's discovery
		// writes to the shared client, and a server that drops PLAIN
		// should fail loudly rather than get something weaker.
		switch strings.ToLower(cfg.Auth) {
		case "", "plain":
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain))
		case "login":
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthLogin))
		default:
			return nil, fmt.Errorf("smtp: auth mechanism %q is not plain or login", cfg.Auth)
		}
		opts = append(opts, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	return &SMTPSender{cfg: cfg, addr: net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)), opts: opts}, nil
}

// String describes the sender without its password.
func (s *SMTPSender) String() string {
	return fmt.Sprintf("smtp://%s (tls %s)", s.addr, s.cfg.TLS)
}

// Send delivers m as multipart/alternative (text, then HTML). ctx bounds
// the connection attempt; the Timeout bounds every step after it.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := check(m); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	msg, err := s.build(m)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	// A client per message: go-mail clients carry per-connection state,
	// and a mail is rare enough that the extra allocation does not matter.
	c, err := gomail.NewClient(s.cfg.Host, s.opts...)
	if err != nil {
		return fmt.Errorf("send mail via %s: %w", s.addr, s.redact(err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return s.sendError(err)
	}
	return nil
}

// build turns m into a go-mail message.
func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from, fromName := s.cfg.From, s.cfg.FromName
	if m.From != "" {
		from = m.From
	}
	if m.FromName != "" {
		fromName = m.FromName
	}
	if fromName != "" {
		if err := msg.FromFormat(oneLine(fromName), from); err != nil {
			return nil, fmt.Errorf("%w: from address %q", ErrInvalidMessage, from)
		}
	} else if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("%w: from address %q", ErrInvalidMessage, from)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("%w: recipient is not an email address", ErrInvalidMessage)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("%w: reply-to %q is not an email address", ErrInvalidMessage, m.ReplyTo)
		}
	}
	msg.Subject(oneLine(m.Subject))
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	// The Message-ID names the sending domain rather than this machine's
	// hostname, which is often "localhost" in a container and says
	// nothing a recipient needs to know.
	domain := "localhost"
	if a, err := mail.ParseAddress(from); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	msg.SetMessageIDWithValue(latchkey.RandomString(24) + "@" + domain)
	// RFC 3834: tell autoresponders (vacation replies) not to answer.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// sendError wraps a delivery error with the server address, marks an
// authentication failure with ErrSMTPAuth, and never carries the password.
func (s *SMTPSender) sendError(err error) error {
	if s.cfg.Username != "" && isAuthError(err) {
		return fmt.Errorf("send mail via %s: %w: the server rejected the username %q or its password, or offers no %s mechanism: %w",
			s.addr, ErrSMTPAuth, s.cfg.Username, authName(s.cfg.Auth), s.redact(err))
	}
	return fmt.Errorf("send mail via %s: %w", s.addr, s.redact(err))
}

func authName(a string) string {
	if a == "" {
		return "PLAIN"
	}
	return strings.ToUpper(a)
}

func isAuthError(err error) bool {
	var tp *textproto.Error
	if errors.As(err, &tp) && (tp.Code == 530 || tp.Code == 534 || tp.Code == 535 || tp.Code == 538 || tp.Code == 454) {
		return true
	}
	for _, e := range []error{gomail.ErrPlainAuthNotSupported, gomail.ErrLoginAuthNotSupported} {
		if errors.Is(err, e) {
			return true
		}
	}
	// go-mail v0.8.1 prefixes every failure of the AUTH exchange so.
	return strings.Contains(err.Error(), "SMTP AUTH failed") || strings.Contains(err.Error(), "does not support SMTP AUTH")
}

// redact returns err, or, if its text holds the password in any form the
// AUTH exchange sends it, an error with that text removed. The replacement
// does not wrap err, so the password cannot be reached through Unwrap.
func (s *SMTPSender) redact(err error) error {
	p := s.cfg.Password
	if p == "" {
		return err
	}
	msg := err.Error()
	secrets := []string{p,
		base64.StdEncoding.EncodeToString([]byte(p)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + s.cfg.Username + "\x00" + p)),
	}
	leaked := false
	for _, sec := range secrets {
		if strings.Contains(msg, sec) {
			msg = strings.ReplaceAll(msg, sec, "[redacted]")
			leaked = true
		}
	}
	if !leaked {
		return err
	}
	return &redactedError{msg: msg}
}

type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
