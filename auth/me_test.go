package auth

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/token"
)

// renderingMailer renders every message with the real templates, so a
// flow that sends data the mail package does not accept fails here.
type renderingMailer struct {
	mu   sync.Mutex
	sent []mail.Message
	data []map[string]string
}

func (m *renderingMailer) Send(_ context.Context, kind, to string, data map[string]string) error {
	msg, err := mail.Render(kind, "en", latchkey.DefaultSettings().Branding, data)
	if err != nil {
		return err
	}
	msg.To = to
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, msg)
	m.data = append(m.data, data)
	return nil
}

// newMe returns the self-service over a fresh store, with a user (verified
// email, password) and an active session of theirs on a new client.
func newMe(t *testing.T, s *sqlstore.Store, mailer Mailer) (*Me, *latchkey.User, *latchkey.Session) {
	t.Helper()
	ctx := context.Background()
	users := newUsers(t, s, nil)
	set := latchkey.DefaultSettings()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sessions := NewSessions(s, (*token.Keyring)(nil), func() *latchkey.Settings { return set }, "http://localhost", log)
	me := NewMe(s, sessions, users, mailer, NewLimiter(s), func() *latchkey.Settings { return set }, log)
	u, err := users.CreateUser(ctx, CreateUserParams{EmailAddresses: []string{"ada@example.com"}, Password: "vivid-otter-quartz-1987"})
	if err != nil {
		t.Fatal(err)
	}
	var sess *latchkey.Session
	err = s.InTx(ctx, func(tx *sqlstore.Tx) error {
		_, digest := NewCredential()
		c := &latchkey.Client{TokenDigest: digest}
		if err := tx.CreateClient(ctx, c); err != nil {
			return err
		}
		sess = &latchkey.Session{ClientID: c.ID, UserID: u.ID, Status: latchkey.SessionActive,
			FirstFactorAt: tx.Now(), ExpireAt: tx.Now().Add(time.Hour)}
		return tx.CreateSession(ctx, sess)
	})
	if err != nil {
		t.Fatal(err)
	}
	return me, u, sess
}

// TestMeMailIsRenderable checks every message Me sends against the mail
// package's templates and accepted data.
func TestMeMailIsRenderable(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		m := &renderingMailer{}
		me, u, sess := newMe(t, s, m)
		idn, err := me.AddEmail(ctx, u.ID, "new@example.com", RequestInfo{IP: "192.0.2.1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := me.PrepareEmailVerification(ctx, nil, u.ID, idn.ID, latchkey.VerifyEmailCode, RequestInfo{IP: "192.0.2.1"}); err != nil {
			t.Fatalf("prepare: %v", err)
		}
		if _, err := me.ChangePassword(ctx, sess, ChangePasswordParams{CurrentPassword: "vivid-otter-quartz-1987",
			NewPassword: "brisk-lantern-meadow-2024"}, RequestInfo{IP: "192.0.2.1"}); err != nil {
			t.Fatalf("change password: %v", err)
		}
		if len(m.sent) != 2 {
			t.Fatalf("sent %d mails, want 2", len(m.sent))
		}
		code := m.data[0]["code"]
		if m.sent[0].To != "new@example.com" || m.data[0]["purpose"] != mail.PurposeVerifyEmail || code == "" {
			t.Errorf("verification mail: to %s, data %v", m.sent[0].To, m.data[0])
		}
		if m.sent[1].To != "ada@example.com" || m.data[1]["time"] == "" {
			t.Errorf("password-changed mail: to %s, data %v", m.sent[1].To, m.data[1])
		}
		// The code in the mail verifies the address.
		got, err := me.AttemptEmailVerification(ctx, u.ID, idn.ID, code, RequestInfo{IP: "192.0.2.1"})
		if err != nil || !got.Verification.Verified() {
			t.Fatalf("attempt with the mailed code: %v %+v", err, got)
		}
	})
}

func TestMeUpdateProfileWithoutChanges(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		me, u, _ := newMe(t, s, &renderingMailer{})
		got, err := me.UpdateProfile(context.Background(), u.ID, ProfileParams{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != u.Version {
			t.Errorf("an empty update made version %d (was %d)", got.Version, u.Version)
		}
	})
}

// TestMeRemoveEmailRules covers the refusals that keep a person able to
// sign in, on a user whose only email address is not primary.
func TestMeRemoveEmailRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		me, u, _ := newMe(t, s, &renderingMailer{})
		set := me.settings()
		if _, err := s.UpdateUser(ctx, u.ID, func(u *latchkey.User) error { u.PrimaryEmailAddressID = ""; return nil }); err != nil {
			t.Fatal(err)
		}
		id := u.Identifiers[0].ID
		wantCode(t, me.RemoveEmail(ctx, u.ID, id, RequestInfo{}), latchkey.CodeIdentifierRequired, "email_address")
		set.EmailAddress.Required = false
		wantCode(t, me.RemoveEmail(ctx, u.ID, id, RequestInfo{}), latchkey.CodeLastIdentifier, "email_address")
		// An unverified address is no way to sign in.
		idn, err := me.AddEmail(ctx, u.ID, "second@example.com", RequestInfo{})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, me.RemoveEmail(ctx, u.ID, id, RequestInfo{}), latchkey.CodeLastIdentifier, "email_address")
		if err := me.RemoveEmail(ctx, u.ID, idn.ID, RequestInfo{}); err != nil {
			t.Fatalf("remove an unverified address: %v", err)
		}
		// When email addresses are not used to sign in, none is the last way.
		set.EmailAddress.UsedForSignIn = false
		if err := me.RemoveEmail(ctx, u.ID, id, RequestInfo{}); err != nil {
			t.Fatalf("remove: %v", err)
		}
		got, _ := s.UserByID(ctx, u.ID)
		if len(got.Identifiers) != 0 {
			t.Fatalf("identifiers left: %d", len(got.Identifiers))
		}
	})
}
