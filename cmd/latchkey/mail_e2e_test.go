package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// TestSignUpWithRealSMTP runs `latchkey dev` with LATCHKEY_SMTP_URL pointing
// at a real SMTP server (emersion/go-smtp) on loopback: the verification
// mail is delivered over SMTP, parsed as MIME, and the code in it completes
// the sign-up.
func TestSignUpWithRealSMTP(t *testing.T) {
	t.Parallel()
	inbox := make(chan []byte, 4)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &captureSession{inbox: inbox}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	dev := startDevEnv(t, map[string]string{
		"LATCHKEY_SMTP_URL":  "smtp://" + ln.Addr().String() + "?tls=none",
		"LATCHKEY_MAIL_FROM": "auth@example.com",
	}, t.TempDir())
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	post := func(path string, body any) map[string]any {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", dev.base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", dev.base)
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d %s", path, res.StatusCode, out)
		}
		var env struct {
			Response map[string]any `json:"response"`
		}
		json.Unmarshal(out, &env)
		return env.Response
	}
	su := post("/v1/client/sign_ups", map[string]any{"email_address": "smtp-person@example.com", "password": "amber-willow-crossing-93"})
	id, _ := su["id"].(string)
	post("/v1/client/sign_ups/"+id+"/prepare_verification", map[string]any{"strategy": "email_code"})

	var raw []byte
	select {
	case raw = <-inbox:
	case <-time.After(15 * time.Second):
		t.Fatal("no mail reached the SMTP server")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	if to := msg.Header.Get("To"); !strings.Contains(to, "smtp-person@example.com") {
		t.Errorf("To = %q", to)
	}
	if from := msg.Header.Get("From"); !strings.Contains(from, "auth@example.com") {
		t.Errorf("From = %q", from)
	}
	text := textPart(t, msg)
	code := regexp.MustCompile(`\b\d{6}\b`).FindString(text)
	if code == "" {
		t.Fatalf("no 6-digit code in the text part:\n%s", text)
	}
	done := post("/v1/client/sign_ups/"+id+"/attempt_verification", map[string]any{"strategy": "email_code", "code": code})
	if done["status"] != "complete" || done["created_session_id"] == nil {
		t.Fatalf("sign-up after the mailed code: %v", done)
	}
}

// textPart returns the text/plain part of a multipart/alternative mail.
func textPart(t *testing.T, msg *mail.Message) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("Content-Type %q: want multipart (%v)", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(p)
			return string(b)
		}
	}
}

type captureSession struct {
	inbox chan []byte
}

func (s *captureSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *captureSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *captureSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.inbox <- b
	return nil
}
func (s *captureSession) Reset()        {}
func (s *captureSession) Logout() error { return nil }
