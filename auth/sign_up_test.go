package auth

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/token"
)

func TestDisposableListShape(t *testing.T) {
	t.Parallel()
	zr, err := gzip.NewReader(bytes.NewReader(disposableGz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) < 100_000 || disposableCount() != len(lines) {
		t.Fatalf("%d lines, %d loaded; want the same, at least 100,000", len(lines), disposableCount())
	}
	wild := 0
	for i, l := range lines {
		if i > 0 && l <= lines[i-1] {
			t.Fatalf("line %d %q is not after %q: the list must be sorted and unique", i, l, lines[i-1])
		}
		d := strings.TrimPrefix(l, "*.")
		if d != l {
			wild++
		}
		if d != strings.ToLower(d) || strings.ContainsAny(d, " \t\r@*") || !strings.Contains(d, ".") {
			t.Fatalf("line %d %q is not a lower-case domain", i, l)
		}
	}
	if wild == 0 || len(disposable().wildcards) != wild {
		t.Errorf("%d wildcard lines, %d loaded", wild, len(disposable().wildcards))
	}
}

func TestIsDisposableDomain(t *testing.T) {
	t.Parallel()
	for domain, want := range map[string]bool{
		"mailinator.com": true, "MAILINATOR.COM": true, "guerrillamail.com": true, "yopmail.com": true,
		"33mail.com": true, "someone.33mail.com": true, "a.b.33mail.com": true, // wildcard entry
		"edu.pl": true, "uw.edu.pl": false, // exact entries do not cover subdomains
		"gmail.com": false, "outlook.com": false, "example.com": false, "proton.me": false,
		"mailinator.com.evil.example": false, "": false, "com": false,
	} {
		if got := isDisposableDomain(domain); got != want {
			t.Errorf("isDisposableDomain(%q) = %v, want %v", domain, got, want)
		}
	}
}

func TestCheckEmailPolicy(t *testing.T) {
	t.Parallel()
	set := latchkey.DefaultSettings()
	set.SignUp.AllowedEmailDomains = []string{"acme.example", "Partner.Example"}
	set.SignUp.BlockedEmailDomains = []string{"old.acme.example"}
	set.SignUp.BlockedEmailAddresses = []string{"Mallory@Acme.example"}
	for email, ok := range map[string]bool{
		"a@acme.example": true, "a@eng.acme.example": true, "a@partner.example": true,
		"a@example.com": false, "a@notacme.example": false, "a@acme.example.evil": false,
		"a@old.acme.example": false, "a@x.old.acme.example": false, "mallory@acme.example": false,
	} {
		err := checkEmailPolicy(set, email)
		if (err == nil) != ok || (err != nil && latchkey.ErrorCode(err) != latchkey.CodeEmailNotAllowed) {
			t.Errorf("checkEmailPolicy(%q) = %v, want allowed %v", email, err, ok)
		}
	}
	set = latchkey.DefaultSettings()
	if err := checkEmailPolicy(set, "a@mailinator.com"); err != nil {
		t.Errorf("disposable address refused with the option off: %v", err)
	}
	set.SignUp.BlockDisposableEmails = true
	if err := checkEmailPolicy(set, "a@mailinator.com"); latchkey.ErrorCode(err) != latchkey.CodeEmailNotAllowed {
		t.Errorf("disposable address: %v", err)
	}
}

func TestSignUpFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                        string
		mod                         func(*latchkey.Settings)
		su                          latchkey.SignUp
		required, optional, missing []string
	}{
		{name: "defaults, empty", su: latchkey.SignUp{},
			required: []string{"email_address", "password"}, optional: []string{"first_name", "last_name"},
			missing: []string{"email_address", "password"}},
		{name: "defaults, filled", su: latchkey.SignUp{EmailAddress: "a@example.com", PasswordHash: "h"},
			required: []string{"email_address", "password"}, optional: []string{"first_name", "last_name"},
			missing: []string{}},
		{name: "everything required",
			mod: func(s *latchkey.Settings) {
				s.Name.Required, s.SignUp.LegalConsentRequired = true, true
				s.Username.Enabled, s.Username.Required = true, true
				s.PhoneNumber.Enabled = true
			},
			su:       latchkey.SignUp{EmailAddress: "a@example.com", FirstName: "A"},
			required: []string{"email_address", "username", "password", "first_name", "last_name", "legal_accepted"},
			optional: []string{"phone_number"},
			missing:  []string{"username", "password", "last_name", "legal_accepted"}},
		{name: "no identifier required, none given",
			mod: func(s *latchkey.Settings) {
				s.EmailAddress.Required, s.Password.Required = false, false
				s.Username.Enabled = true
			},
			su: latchkey.SignUp{}, required: []string{},
			optional: []string{"email_address", "username", "password", "first_name", "last_name"},
			missing:  []string{"email_address"}},
		{name: "no identifier required, a username given",
			mod: func(s *latchkey.Settings) {
				s.EmailAddress.Required, s.Password.Required = false, false
				s.Username.Enabled = true
			},
			su: latchkey.SignUp{Username: "ada"}, required: []string{},
			optional: []string{"email_address", "username", "password", "first_name", "last_name"},
			missing:  []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := latchkey.DefaultSettings()
			if c.mod != nil {
				c.mod(set)
			}
			req, opt := signUpFields(set)
			if diff := cmp.Diff(c.required, req); diff != "" {
				t.Errorf("required (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.optional, opt); diff != "" {
				t.Errorf("optional (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.missing, missingFields(set, &c.su)); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

// newSignUps returns the sign-up service over a fresh store, with settings
// changed by mod, and the mail it sends.
func newSignUps(t *testing.T, s *sqlstore.Store, mod func(*latchkey.Settings)) (*SignUps, *signUpMails) {
	t.Helper()
	set := latchkey.DefaultSettings()
	if mod != nil {
		mod(set)
	}
	settings := func() *latchkey.Settings { return set }
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	keys := token.NewKeyring(s, box)
	if err := keys.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sessions := NewSessions(s, keys, settings, "http://latchkey.test", log)
	users := NewUsers(s, password.NewPool(0, 0), settings)
	mails := &signUpMails{}
	return NewSignUps(s, sessions, users, mails, NewLimiter(s), settings, "http://latchkey.test", log), mails
}

// signUpMails records sent mail.
type signUpMails struct {
	mu   sync.Mutex
	sent []map[string]string
}

func (m *signUpMails) Send(_ context.Context, kind, to string, data map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := map[string]string{"kind": kind, "to": to}
	for k, v := range data {
		d[k] = v
	}
	m.sent = append(m.sent, d)
	return nil
}

func (m *signUpMails) last() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sent) == 0 {
		return nil
	}
	return m.sent[len(m.sent)-1]
}

// TestSignUpCompletesOnce races every way a ready sign-up can be completed
// (the code twice, and the tab's PATCH) and checks exactly one user and one
// session come out of it.
func TestSignUpCompletesOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		su, mails := newSignUps(t, s, func(set *latchkey.Settings) { set.Password.Required = false })
		st := &ClientState{}
		email := "once@example.com"
		created, err := su.Create(ctx, st, SignUpParams{EmailAddress: &email}, RequestInfo{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := su.PrepareVerification(ctx, st, created.ID, latchkey.VerifyEmailCode, "", RequestInfo{IP: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		code := mails.last()["code"]
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each request has its own view of the client, as each
				// HTTP request does.
				mine := &ClientState{Client: &latchkey.Client{ID: st.Client.ID}}
				if i%3 == 2 {
					_, errs[i] = su.Update(ctx, mine, created.ID, SignUpParams{}, RequestInfo{})
					return
				}
				_, errs[i] = su.AttemptVerification(ctx, mine, created.ID, latchkey.VerifyEmailCode, code, RequestInfo{})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && latchkey.ErrorCode(err) != latchkey.CodeVerificationUsed && latchkey.ErrorCode(err) != latchkey.CodeForbidden {
				t.Errorf("unexpected error: %v", err)
			}
		}
		n, err := s.CountUsers(ctx, sqlstore.UserFilter{})
		if err != nil || n != 1 {
			t.Errorf("%d users (%v), want 1", n, err)
		}
		sessions, _, err := s.Sessions(ctx, sqlstore.SessionFilter{ClientID: st.Client.ID})
		if err != nil || len(sessions) != 1 {
			t.Errorf("%d sessions (%v), want 1", len(sessions), err)
		}
		done, err := s.SignUpByID(ctx, created.ID)
		if err != nil || done.Status != latchkey.SignUpComplete || done.CreatedSessionID != sessions[0].ID {
			t.Errorf("sign-up: %v %+v", err, done)
		}
	})
}

func TestSignUpCompleteLinkChecks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		su, _ := newSignUps(t, s, nil)
		st := &ClientState{}
		// A challenge of another flow is not the sign-up's to use.
		for _, c := range []*latchkey.Challenge{
			{OwnerType: OwnerSignIn, Kind: latchkey.VerifyEmailLink},
			{OwnerType: OwnerSignUp, Kind: latchkey.VerifyEmailCode},
			{OwnerType: OwnerSignUp, Kind: latchkey.VerifyEmailLink, OwnerID: "sua_gone", LinkDigest: []byte("x")},
		} {
			if _, err := su.CompleteLink(ctx, st, c, RequestInfo{}); latchkey.ErrorCode(err) != latchkey.CodeVerificationFailed {
				t.Errorf("CompleteLink(%+v) = %v, want verification_failed", c, err)
			}
		}
		var e *latchkey.Error
		if _, err := su.CompleteLink(ctx, st, &latchkey.Challenge{OwnerType: OwnerSignUp, Kind: latchkey.VerifyEmailLink}, RequestInfo{}); !errors.As(err, &e) {
			t.Errorf("not a catalog error: %v", err)
		}
	})
}
