package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
)

// received is one message as the test SMTP server got it.
type received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool
	AuthUser string
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1.
type smtpServer struct {
	Host string
	Port int
	got  chan received
}

type serverOptions struct {
	user, pass string      // require AUTH PLAIN with these when user != ""
	startTLS   *tls.Config // offer STARTTLS
	implicit   *tls.Config // TLS from the first byte
	// insecureAuth offers AUTH without TLS.
	insecureAuth bool
}

func startSMTP(t *testing.T, o serverOptions) *smtpServer {
	t.Helper()
	s := &smtpServer{got: make(chan received, 16)}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: s, opts: o, conn: c}, nil
	})
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 1 << 20
	srv.TLSConfig = o.startTLS
	srv.AllowInsecureAuth = o.insecureAuth
	srv.ErrorLog = log.New(io.Discard, "", 0)
	var l net.Listener
	var err error
	if o.implicit != nil {
		l, err = tls.Listen("tcp", "127.0.0.1:0", o.implicit)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	s.Host = "127.0.0.1"
	s.Port = l.Addr().(*net.TCPAddr).Port
	return s
}

// next waits for the next delivered message.
func (s *smtpServer) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-s.got:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no message reached the SMTP server")
		return received{}
	}
}

// none checks that nothing was delivered.
func (s *smtpServer) none(t *testing.T) {
	t.Helper()
	select {
	case r := <-s.got:
		t.Fatalf("a message was delivered: %s", r.Data)
	default:
	}
}

type session struct {
	srv  *smtpServer
	opts serverOptions
	conn *smtp.Conn
	user string
	cur  received
}

func (s *session) AuthMechanisms() []string {
	if s.opts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.opts.user || password != s.opts.pass {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.opts.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = received{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	_, s.cur.TLS = s.conn.TLSConnectionState()
	s.cur.AuthUser = s.user
	s.srv.got <- s.cur
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// selfSigned returns a server config with a fresh certificate for 127.0.0.1
// and localhost, and a client config that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "latchkey test smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool}
}

// parsed is a delivered message taken apart with net/mail and
// mime/multipart.
type parsed struct {
	Header netmail.Header
	Text   string
	HTML   string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	p := parsed{Header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var order []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, cparams, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if !strings.EqualFold(cparams["charset"], "utf-8") {
			t.Errorf("part %s charset = %q, want UTF-8", ct, cparams["charset"])
		}
		// multipart.Part decodes quoted-printable itself; base64 it
		// leaves to us.
		var r io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, ct)
		switch ct {
		case "text/plain":
			p.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
		case "text/html":
			p.HTML = strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
	// Clients show the last part they understand: HTML must come last.
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Errorf("parts = %v, want text/plain then text/html", order)
	}
	return p
}

func newSender(t *testing.T, cfg mail.SMTPConfig) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var hostile = latchkey.BrandingSettings{
	ApplicationName: `<script>alert("pwned")</script> & Co`,
	PrimaryColor:    "#0a7cff",
	SupportEmail:    "help@acme.example",
}

func TestSMTPDeliversRenderedMail(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, serverOptions{})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone,
		From: "no-reply@acme.example", FromName: "Acme Accounts"})

	m, err := mail.Render(mail.KindVerificationCode, "en", hostile, map[string]string{"code": "482913"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "ada@example.com"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.next(t)
	if got.From != "no-reply@acme.example" || len(got.To) != 1 || got.To[0] != "ada@example.com" {
		t.Errorf("envelope = %q -> %q", got.From, got.To)
	}
	p := parse(t, got.Data)

	from, err := p.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "no-reply@acme.example" || from[0].Name != "Acme Accounts" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ada@example.com" {
		t.Errorf("To = %v (%v)", to, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, m.Subject)
	}
	if !strings.HasPrefix(subject, "482913 ") {
		t.Errorf("Subject %q does not start with the code", subject)
	}
	if d, err := p.Header.Date(); err != nil || d.Sub(m.CreatedAt).Abs() > time.Second {
		t.Errorf("Date = %v (%v), want %v", d, err, m.CreatedAt)
	}
	if id := p.Header.Get("Message-Id"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@acme.example>") {
		t.Errorf("Message-ID = %q, want <random@acme.example>", id)
	}
	if v := p.Header.Get("Auto-Submitted"); v != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", v)
	}
	if p.Header.Get("User-Agent") != "" || p.Header.Get("X-Mailer") != "" {
		t.Errorf("the message names the mail library: %q %q", p.Header.Get("User-Agent"), p.Header.Get("X-Mailer"))
	}

	// The code in the text part is the one in Data, on a line of its own.
	if !strings.Contains(p.Text, "\n    "+m.Data["code"]+"\n") {
		t.Errorf("text part lacks code %s:\n%s", m.Data["code"], p.Text)
	}
	if p.Text != m.Text {
		t.Errorf("text part changed in transit:\n%q\nwant\n%q", p.Text, m.Text)
	}
	if !strings.Contains(p.Text, "10 minutes") {
		t.Errorf("text part does not state the expiry:\n%s", p.Text)
	}
	// The application name is raw in the text part and escaped in HTML.
	if !strings.Contains(p.Text, hostile.ApplicationName) {
		t.Errorf("text part lacks the application name:\n%s", p.Text)
	}
	if strings.Contains(p.HTML, "<script") || strings.Contains(p.HTML, `alert("pwned")`) {
		t.Errorf("HTML part carries the script unescaped:\n%s", p.HTML)
	}
	if !strings.Contains(p.HTML, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; &amp; Co") {
		t.Errorf("HTML part lacks the escaped application name:\n%s", p.HTML)
	}
	if !strings.Contains(p.HTML, ">482913<") || !strings.Contains(p.HTML, "#0a7cff") {
		t.Errorf("HTML part lacks the code or the primary color:\n%s", p.HTML)
	}
}

func TestSMTPMagicLink(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, serverOptions{})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "no-reply@acme.example"})
	link := "https://app.acme.example/__latchkey/v1/verify?token=tok_Abc123&redirect_url=%2Fdashboard"
	m, err := mail.Render(mail.KindMagicLink, "en", hostile, map[string]string{"link": link, "expires_in_minutes": "15"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "Ada Lovelace <ada@example.com>"
	m.ReplyTo = "support@acme.example"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	p := parse(t, srv.next(t).Data)
	if !strings.Contains(p.Text, "\n"+m.Data["link"]+"\n") {
		t.Errorf("text part lacks link %s on a line of its own:\n%s", m.Data["link"], p.Text)
	}
	if !strings.Contains(p.Text, "15 minutes") {
		t.Errorf("text part does not say 15 minutes:\n%s", p.Text)
	}
	if !strings.Contains(p.HTML, `href="https://app.acme.example/__latchkey/v1/verify?token=tok_Abc123&amp;redirect_url=%2Fdashboard"`) {
		t.Errorf("HTML part lacks the link:\n%s", p.HTML)
	}
	to, _ := p.Header.AddressList("To")
	if len(to) != 1 || to[0].Name != "Ada Lovelace" {
		t.Errorf("To = %v", to)
	}
	if rt, _ := p.Header.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != "support@acme.example" {
		t.Errorf("Reply-To = %v", rt)
	}
}

func TestSMTPTLSAndAuth(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	const user, pass = "mailer", "s3cret-Pa55word"
	tests := []struct {
		name string
		opts serverOptions
		mode string
	}{
		{"starttls with auth", serverOptions{user: user, pass: pass, startTLS: serverTLS}, mail.TLSStartTLS},
		{"starttls without auth", serverOptions{startTLS: serverTLS}, mail.TLSStartTLS},
		{"optional starttls offered", serverOptions{user: user, pass: pass, startTLS: serverTLS}, mail.TLSStartTLSOptional},
		{"implicit tls with auth", serverOptions{user: user, pass: pass, implicit: serverTLS}, mail.TLSImplicit},
		{"implicit tls without auth", serverOptions{implicit: serverTLS}, mail.TLSImplicit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTP(t, tt.opts)
			cfg := mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: tt.mode, TLSConfig: clientTLS,
				From: "no-reply@acme.example"}
			if tt.opts.user != "" {
				cfg.Username, cfg.Password = user, pass
			}
			m, err := mail.Render(mail.KindPasswordResetCode, "en", hostile, map[string]string{"code": "000123"})
			if err != nil {
				t.Fatal(err)
			}
			m.To = "ada@example.com"
			if err := newSender(t, cfg).Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.next(t)
			if !got.TLS {
				t.Error("the message was sent without TLS")
			}
			if got.AuthUser != tt.opts.user {
				t.Errorf("authenticated as %q, want %q", got.AuthUser, tt.opts.user)
			}
			p := parse(t, got.Data)
			if !strings.Contains(p.Text, "\n    000123\n") {
				t.Errorf("text part lacks the code:\n%s", p.Text)
			}
		})
	}
}

func TestSMTPPlainAuthOnLoopback(t *testing.T) {
	t.Parallel()
	// A local relay without TLS may still want a password; go-mail sends
	// PLAIN unencrypted only to localhost.
	srv := startSMTP(t, serverOptions{user: "u", pass: "p", insecureAuth: true})
	cfg := mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "a@acme.example", Username: "u", Password: "p"}
	m := message(t)
	if err := newSender(t, cfg).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got := srv.next(t); got.AuthUser != "u" || got.TLS {
		t.Errorf("auth user %q, tls %v", got.AuthUser, got.TLS)
	}
}

func message(t *testing.T) mail.Message {
	t.Helper()
	m, err := mail.Render(mail.KindVerificationCode, "en", latchkey.BrandingSettings{ApplicationName: "Acme"},
		map[string]string{"code": "135790"})
	if err != nil {
		t.Fatal(err)
	}
	m.To = "ada@example.com"
	return m
}

func TestSMTPAuthFailureIsClearAndSecret(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	srv := startSMTP(t, serverOptions{user: "mailer", pass: "right-password", startTLS: serverTLS})
	const wrong = "Wr0ng-but-SECRET-password"
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLSConfig: clientTLS,
		From: "no-reply@acme.example", Username: "mailer", Password: wrong})
	err := s.Send(context.Background(), message(t))
	if err == nil {
		t.Fatal("Send succeeded with a wrong password")
	}
	if !errors.Is(err, mail.ErrSMTPAuth) {
		t.Errorf("error %q does not wrap ErrSMTPAuth", err)
	}
	msg := err.Error()
	for _, secret := range []string{wrong, base64.StdEncoding.EncodeToString([]byte("\x00mailer\x00" + wrong))} {
		if strings.Contains(msg, secret) {
			t.Errorf("error %q contains the password", msg)
		}
	}
	for _, want := range []string{"mailer", "127.0.0.1:" + strconv.Itoa(srv.Port), "535"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(s.String(), wrong) {
		t.Errorf("String() = %q shows the password", s.String())
	}
	srv.none(t)
}

func TestSMTPTLSFailures(t *testing.T) {
	t.Parallel()
	serverTLS, _ := selfSigned(t)
	tests := []struct {
		name string
		opts serverOptions
		cfg  mail.SMTPConfig
		want string
	}{
		// The default is STARTTLS, required.
		{"server without starttls", serverOptions{}, mail.SMTPConfig{}, "STARTTLS"},
		{"untrusted certificate", serverOptions{startTLS: serverTLS}, mail.SMTPConfig{TLS: mail.TLSStartTLS}, "certificate"},
		{"untrusted certificate implicit", serverOptions{implicit: serverTLS}, mail.SMTPConfig{TLS: mail.TLSImplicit}, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startSMTP(t, tt.opts)
			tt.cfg.Host, tt.cfg.Port, tt.cfg.From = srv.Host, srv.Port, "no-reply@acme.example"
			tt.cfg.Timeout = 5 * time.Second
			err := newSender(t, tt.cfg).Send(context.Background(), message(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.want)
			}
			srv.none(t)
		})
	}
}

func TestSMTPOptionalStartTLSFallsBack(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, serverOptions{})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSStartTLSOptional, From: "a@acme.example"})
	if err := s.Send(context.Background(), message(t)); err != nil {
		t.Fatal(err)
	}
	if srv.next(t).TLS {
		t.Error("TLS without a server that offers it")
	}
}

func TestSMTPSendRejectsBadMessages(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, serverOptions{})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "a@acme.example"})
	for _, mod := range []func(*mail.Message){
		func(m *mail.Message) { m.To = "" },
		func(m *mail.Message) { m.To = "not an address" },
		func(m *mail.Message) { m.To = "a@example.com\r\nBcc: victim@example.com" },
		func(m *mail.Message) { m.Subject = "" },
		func(m *mail.Message) { m.Text = "" },
		func(m *mail.Message) { m.ReplyTo = "nope" },
	} {
		m := message(t)
		mod(&m)
		if err := s.Send(context.Background(), m); !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("Send(%+v) = %v, want ErrInvalidMessage", m, err)
		}
	}
	srv.none(t)
}

func TestSMTPHeaderInjection(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, serverOptions{})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "a@acme.example",
		FromName: "Acme\r\nBcc: victim@example.com"})
	m := message(t)
	m.Subject = "Hello\r\nBcc: victim@example.com"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.next(t)
	p := parse(t, got.Data)
	if len(got.To) != 1 || p.Header.Get("Bcc") != "" {
		t.Errorf("a header was injected: rcpt %v, Bcc %q", got.To, p.Header.Get("Bcc"))
	}
}

func TestSMTPCanceledContext(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t, serverOptions{})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: mail.TLSNone, From: "a@acme.example"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, message(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestSMTPConcurrentSends(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := selfSigned(t)
	srv := startSMTP(t, serverOptions{user: "u", pass: "p", startTLS: serverTLS})
	s := newSender(t, mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLSConfig: clientTLS,
		From: "a@acme.example", Username: "u", Password: "p"})
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.Send(context.Background(), message(t))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	for range n {
		srv.next(t)
	}
}

func TestNewSMTPSenderChecksConfig(t *testing.T) {
	t.Parallel()
	ok := mail.SMTPConfig{Host: "smtp.example.com", From: "no-reply@example.com"}
	tests := []struct {
		name string
		mod  func(*mail.SMTPConfig)
		want string // "" for success; else in the error
		str  string // in String() on success
	}{
		{"defaults to starttls on 587", func(c *mail.SMTPConfig) {}, "", "smtp.example.com:587 (tls starttls)"},
		{"465 means implicit", func(c *mail.SMTPConfig) { c.Port = 465 }, "", ":465 (tls implicit)"},
		{"implicit defaults to 465", func(c *mail.SMTPConfig) { c.TLS = mail.TLSImplicit }, "", ":465 (tls implicit)"},
		{"none on loopback", func(c *mail.SMTPConfig) { c.Host, c.TLS = "localhost", mail.TLSNone }, "", "localhost:25 (tls none)"},
		{"none on ::1", func(c *mail.SMTPConfig) { c.Host, c.TLS, c.Port = "::1", mail.TLSNone, 1025 }, "", "[::1]:1025"},
		{"none elsewhere", func(c *mail.SMTPConfig) { c.TLS = mail.TLSNone }, "only for localhost", ""},
		{"unknown tls", func(c *mail.SMTPConfig) { c.TLS = "ssl" }, `tls mode "ssl"`, ""},
		{"no host", func(c *mail.SMTPConfig) { c.Host = "" }, "host is required", ""},
		{"no from", func(c *mail.SMTPConfig) { c.From = "" }, "from address is required", ""},
		{"bad from", func(c *mail.SMTPConfig) { c.From = "nobody" }, "not an email address", ""},
		{"bad port", func(c *mail.SMTPConfig) { c.Port = 70000 }, "not a TCP port", ""},
		{"password without user", func(c *mail.SMTPConfig) { c.Password = "x" }, "no username", ""},
		{"unknown auth", func(c *mail.SMTPConfig) { c.Username, c.Auth = "u", "cram-md5" }, "not plain or login", ""},
		{"negative timeout", func(c *mail.SMTPConfig) { c.Timeout = -time.Second }, "timeout", ""},
	}
	for _, tt := range tests {
		cfg := ok
		tt.mod(&cfg)
		s, err := mail.NewSMTPSender(cfg)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want == "" && !strings.Contains(s.String(), tt.str):
			t.Errorf("%s: String() = %q, want it to contain %q", tt.name, s.String(), tt.str)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
