package auth

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

func TestCodeChallenge(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	seen := map[string]bool{}
	for range 200 {
		c, code := newCodeChallenge(latchkey.VerifyEmailCode, OwnerSignIn, "sia_1", "a@x.io", "client_1", now)
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("code %q is not 6 digits", code)
		}
		seen[code] = true
		if !bytes.Equal(c.CodeDigest, challengeDigest(code)) || c.LinkDigest != nil {
			t.Fatalf("digests: %x %x", c.CodeDigest, c.LinkDigest)
		}
		if c.MaxAttempts != 3 || c.Status != latchkey.ChallengePending || !c.ExpireAt.Equal(now.Add(10*time.Minute)) ||
			c.Kind != latchkey.VerifyEmailCode || c.OwnerType != OwnerSignIn || c.OwnerID != "sia_1" || c.Target != "a@x.io" || c.ClientID != "client_1" {
			t.Fatalf("challenge %+v", c)
		}
	}
	if len(seen) < 190 {
		t.Errorf("only %d distinct codes in 200", len(seen))
	}
	c, token := newLinkChallenge(latchkey.VerifyEmailLink, OwnerSignUp, "sua_1", "a@x.io", "client_1", "https://app.example/x", now)
	if len(token) != 43 || !bytes.Equal(c.LinkDigest, challengeDigest(token)) || c.CodeDigest != nil || c.RedirectURL != "https://app.example/x" || c.MaxAttempts != 1 {
		t.Fatalf("link challenge %+v token %q", c, token)
	}
	_, other := newLinkChallenge(latchkey.VerifyEmailLink, OwnerSignUp, "sua_1", "a@x.io", "", "", now)
	if other == token {
		t.Errorf("two link tokens are equal")
	}
	link := challengeLink("https://auth.example/", token)
	u, err := url.Parse(link)
	if err != nil || u.Path != "/v1/verify" || u.Query().Get("token") != token || !strings.HasPrefix(link, "https://auth.example/v1/verify?token=") {
		t.Errorf("link %q", link)
	}
}

func TestAttemptError(t *testing.T) {
	c := &latchkey.Challenge{MaxAttempts: 3, Attempts: 2}
	tests := []struct {
		res  sqlstore.AttemptResult
		code latchkey.Code
		long string
	}{
		{sqlstore.AttemptWrong, latchkey.CodeCodeIncorrect, "1 attempt left"},
		{sqlstore.AttemptExhausted, latchkey.CodeVerificationFailed, ""},
		{sqlstore.AttemptExpired, latchkey.CodeVerificationExpired, "10 minutes"},
		{sqlstore.AttemptUsed, latchkey.CodeVerificationUsed, ""},
	}
	for _, tc := range tests {
		err := attemptError(tc.res, c)
		wantCode(t, err, tc.code, "code")
		if !strings.Contains(err.Error(), tc.long) {
			t.Errorf("%s: %q lacks %q", tc.code, err, tc.long)
		}
	}
	if err := attemptError(sqlstore.AttemptVerified, c); err != nil {
		t.Errorf("verified: %v", err)
	}
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"ada@example.com": "a***@example.com",
		"é@x.io":          "é***@x.io",
		"nope":            "***",
		"@x.io":           "***",
	} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseIdentifier(t *testing.T) {
	set := latchkey.DefaultSettings()
	set.Username.Enabled, set.Username.UsedForSignIn = true, true
	tests := []struct {
		in        string
		typ       latchkey.IdentifierType
		value     string
		code      latchkey.Code
		phoneOn   bool
		usernames bool
	}{
		{in: " Ada@Example.COM ", typ: latchkey.IdentifierEmail, value: "Ada@example.com"},
		{in: "Ada_L", typ: latchkey.IdentifierUsername, value: "ada_l"},
		{in: "+1 415 555 0100", code: latchkey.CodeIdentifierDisabled},
		{in: "+1 415 555 0100", typ: latchkey.IdentifierPhone, value: "+14155550100", phoneOn: true},
		{in: "a@@b", code: latchkey.CodeFormParamInvalid},
		{in: "no spaces allowed", code: latchkey.CodeFormParamInvalid},
		{in: strings.Repeat("x", 321), code: latchkey.CodeFormParamInvalid},
		{in: "bad\x00nul", code: latchkey.CodeFormParamInvalid},
	}
	for _, tc := range tests {
		s := *set
		s.PhoneNumber = latchkey.IdentifierSettings{Enabled: tc.phoneOn, UsedForSignIn: tc.phoneOn}
		typ, value, _, err := parseIdentifier(tc.in, &s)
		if tc.code != "" {
			wantCode(t, err, tc.code, "identifier")
			continue
		}
		if err != nil || typ != tc.typ || value != tc.value {
			t.Errorf("parseIdentifier(%q) = %s %q %v, want %s %q", tc.in, typ, value, err, tc.typ, tc.value)
		}
	}
	// Usernames off: a username is refused, naming what works.
	_, _, _, err := parseIdentifier("ada", latchkey.DefaultSettings())
	wantCode(t, err, latchkey.CodeIdentifierDisabled, "identifier")
	if !strings.Contains(err.Error(), "email address") {
		t.Errorf("message %q does not say what to use", err)
	}
}

func TestDescribeDevice(t *testing.T) {
	b, os := describeDevice("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")
	if b != "Safari" || os != "macOS" {
		t.Errorf("Safari on macOS: %s, %s", b, os)
	}
	if b, os := describeDevice(""); b != "" || os != "" {
		t.Errorf("empty user agent: %q %q", b, os)
	}
}

// recordingMailer keeps what the service sends.
type recordingMailer struct {
	mu   sync.Mutex
	sent []map[string]string
}

func (m *recordingMailer) Send(_ context.Context, kind, to string, data map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := map[string]string{"kind": kind, "to": to}
	for k, v := range data {
		d[k] = v
	}
	m.sent = append(m.sent, d)
	return nil
}

// signInFixture is a sign-in service over a real store with one clock for
// the store and the service.
type signInFixture struct {
	store *sqlstore.Store
	users *Users
	si    *SignIns
	mail  *recordingMailer
	mu    sync.Mutex
	now   time.Time
}

func (f *signInFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Millisecond)
	return f.now
}

func (f *signInFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newSignInFixture(t *testing.T, s *sqlstore.Store, mod func(*latchkey.Settings)) *signInFixture {
	t.Helper()
	f := &signInFixture{store: s, now: time.Now().UTC(), mail: &recordingMailer{}}
	s.SetClock(f.clock)
	f.users = newUsers(t, s, mod)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sessions := NewSessions(s, nil, f.users.settings, "https://auth.example", log)
	sessions.SetClock(f.clock)
	f.si = NewSignIns(s, sessions, f.users, f.mail, NewLimiter(s), f.users.settings, "https://auth.example", log)
	f.si.SetClock(f.clock)
	return f
}

func TestSignInService(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newSignInFixture(t, s, func(set *latchkey.Settings) { set.Password.Required = false })
		u, err := f.users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"ada@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		req := RequestInfo{IP: "192.0.2.1", UserAgent: "test"}

		// An email code, expired by the store's clock.
		st := &ClientState{}
		v, err := f.si.Create(ctx, st, CreateSignInParams{Identifier: "ada@example.com", Strategy: latchkey.VerifyEmailCode}, req)
		if err != nil {
			t.Fatal(err)
		}
		if st.Client == nil || st.Credential == "" || st.Client.SignInID != v.SignIn.ID || v.SignIn.UserID != u.ID {
			t.Fatalf("create made no client, or did not link it: %+v %+v", st, v.SignIn)
		}
		if v.Verification == nil || v.Verification.Status != FactorUnverified {
			t.Fatalf("one-step email_code: %+v", v.Verification)
		}
		f.si.WaitMail()
		code := f.mail.sent[0]["code"]
		f.advance(ChallengeLifetime)
		_, err = f.si.AttemptFirstFactor(ctx, st, v.SignIn.ID, AttemptParams{Strategy: latchkey.VerifyEmailCode, Code: code}, req)
		wantCode(t, err, latchkey.CodeVerificationExpired, "code")

		// A fresh code completes; the session is the client's and the
		// credential rotated.
		if _, err := f.si.PrepareFirstFactor(ctx, st, v.SignIn.ID, PrepareParams{Strategy: latchkey.VerifyEmailCode}, req); err != nil {
			t.Fatal(err)
		}
		f.si.WaitMail()
		code = f.mail.sent[1]["code"]
		cred := st.Credential
		done, err := f.si.AttemptFirstFactor(ctx, st, v.SignIn.ID, AttemptParams{Strategy: latchkey.VerifyEmailCode, Code: code}, req)
		if err != nil {
			t.Fatal(err)
		}
		if done.SignIn.Status != latchkey.SignInComplete || st.Credential == cred || st.Client.LastActiveSessionID != done.SignIn.CreatedSessionID || st.Client.SignInID != "" {
			t.Fatalf("after the code: %+v, client %+v", done.SignIn, st.Client)
		}
		stored, _ := s.ClientByID(ctx, st.Client.ID)
		if !bytes.Equal(stored.TokenDigest, CredentialDigest(st.Credential)) || stored.SignInID != "" {
			t.Errorf("stored client does not match the state handed back")
		}

		// An unknown identifier's challenge can never verify, whatever the
		// guess: its digests are empty.
		st2 := &ClientState{}
		v2, err := f.si.Create(ctx, st2, CreateSignInParams{Identifier: "nobody@example.com", Strategy: latchkey.VerifyEmailLink}, req)
		if err != nil {
			t.Fatal(err)
		}
		err = s.InTx(ctx, func(tx *sqlstore.Tx) error {
			c, err := tx.LatestChallenge(ctx, OwnerSignIn, v2.SignIn.ID)
			if err == nil && (c.CodeDigest != nil || c.LinkDigest != nil) {
				t.Errorf("unknown identifier's challenge has digests")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		f.si.WaitMail()
		if len(f.mail.sent) != 2 {
			t.Errorf("%d mails, want 2 (nothing to the unknown address)", len(f.mail.sent))
		}

		// The sign-in attempt itself expires.
		st3 := &ClientState{}
		v3, err := f.si.Create(ctx, st3, CreateSignInParams{Identifier: "ada@example.com"}, req)
		if err != nil {
			t.Fatal(err)
		}
		f.advance(SignInLifetime)
		_, err = f.si.PrepareFirstFactor(ctx, st3, v3.SignIn.ID, PrepareParams{Strategy: latchkey.VerifyEmailCode}, req)
		wantCode(t, err, latchkey.CodeAttemptExpired, "")
	})
}

func TestLockedError(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	err := lockedError(now.Add(59*time.Minute+30*time.Second), now)
	wantCode(t, err, latchkey.CodeUserLocked, "")
	if !strings.Contains(err.Error(), "in 60 minutes") || !strings.Contains(err.Error(), "2026-01-01T12:59:30Z") {
		t.Errorf("message %q", err)
	}
	if err := lockedError(time.Time{}, now); !strings.Contains(err.Error(), "Contact support") {
		t.Errorf("admin lock message %q", err)
	}
}
