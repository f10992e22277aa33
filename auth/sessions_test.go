package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/token"
)

func TestRenderClaims(t *testing.T) {
	u := &latchkey.User{
		ID: "user_1", FirstName: "Ada", PrimaryEmailAddressID: "idn_2",
		PublicMetadata: json.RawMessage(`{"role":"admin","org":{"id":9007199254740993,"tier":"pro"},"tags":["a","b"]}`),
		Identifiers: []*latchkey.Identifier{
			{ID: "idn_1", Type: latchkey.IdentifierEmail, Value: "old@example.com"},
			{ID: "idn_2", Type: latchkey.IdentifierEmail, Value: "Ada@Example.com"},
			{ID: "idn_3", Type: latchkey.IdentifierUsername, Value: "ada"},
		},
	}
	tmpl := map[string]any{
		"uid":        "{{user.id}}",
		"spaced":     "{{ user.first_name }}",
		"last":       "{{user.last_name}}",
		"username":   "{{user.username}}",
		"email":      "{{user.primary_email_address}}",
		"role":       "{{user.public_metadata.role}}",
		"org_id":     "{{user.public_metadata.org.id}}",
		"meta":       "{{user.public_metadata}}",
		"missing":    "{{user.public_metadata.nope.deeper}}",
		"not_object": "{{user.public_metadata.role.x}}",
		// A field that merely starts like public_metadata is not it.
		"lookalike": "{{user.public_metadatarole}}",
		"unknown":   "{{user.password_hash}}",
		"literal":   "latchkey",
		"half":      "{{user.id",
		"number":    float64(7),
		"flag":      true,
		"nested":    map[string]any{"who": "{{user.id}}", "list": []any{"{{user.first_name}}", "x", nil}},
	}
	got := renderClaims(tmpl, u)
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("claims do not encode: %v", err)
	}
	var decoded map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&decoded); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"uid": "user_1", "spaced": "Ada", "last": "", "username": "ada", "email": "Ada@Example.com", "role": "admin",
		// Exact: a 64-bit ID must not be rounded through float64.
		"org_id": json.Number("9007199254740993"),
		"meta": map[string]any{"role": "admin", "org": map[string]any{"id": json.Number("9007199254740993"), "tier": "pro"},
			"tags": []any{"a", "b"}},
		"missing": nil, "not_object": nil, "lookalike": nil, "unknown": nil,
		"literal": "latchkey", "half": "{{user.id", "number": json.Number("7"), "flag": true,
		"nested": map[string]any{"who": "user_1", "list": []any{"Ada", "x", nil}},
	}
	if diff := cmp.Diff(want, decoded); diff != "" {
		t.Errorf("renderClaims (-want +got):\n%s", diff)
	}
	// The template is not changed by rendering.
	if tmpl["uid"] != "{{user.id}}" || tmpl["nested"].(map[string]any)["who"] != "{{user.id}}" {
		t.Errorf("renderClaims changed the template: %v", tmpl)
	}

	// Nothing to render; no metadata; metadata that is not JSON.
	if got := renderClaims(nil, u); got != nil {
		t.Errorf("empty template rendered %v", got)
	}
	bare := &latchkey.User{ID: "user_2"}
	got = renderClaims(map[string]any{"role": "{{user.public_metadata.role}}", "meta": "{{user.public_metadata}}",
		"email": "{{user.primary_email_address}}"}, bare)
	if diff := cmp.Diff(map[string]any{"role": nil, "meta": nil, "email": nil}, got); diff != "" {
		t.Errorf("user without metadata or email (-want +got):\n%s", diff)
	}
	bare.PublicMetadata = json.RawMessage(`{not json`)
	if got := renderClaims(map[string]any{"m": "{{user.public_metadata.a}}"}, bare); got["m"] != nil {
		t.Errorf("broken metadata rendered %v", got["m"])
	}
}

// sessionsFixture is the session service over a fresh store, with one
// adjustable clock for the service and the store.
type sessionsFixture struct {
	store *sqlstore.Store
	s     *Sessions
	set   *latchkey.Settings
	logs  *strings.Builder

	mu  sync.Mutex
	now time.Time
}

func (f *sessionsFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *sessionsFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newSessionsFixture(t *testing.T, store *sqlstore.Store, mod func(*latchkey.Settings)) *sessionsFixture {
	t.Helper()
	set := latchkey.DefaultSettings()
	set.Password.Required = false
	if mod != nil {
		mod(set)
	}
	if err := set.Validate(); err != nil {
		t.Fatalf("test settings invalid: %v", err)
	}
	key := make([]byte, seal.KeySize)
	rand.Read(key)
	box, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	keys := token.NewKeyring(store, box)
	if err := keys.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	f := &sessionsFixture{store: store, set: set, logs: &strings.Builder{},
		now: time.Now().UTC().Truncate(time.Millisecond)}
	store.SetClock(f.clock)
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: f.logs}, nil))
	f.s = NewSessions(store, keys, func() *latchkey.Settings { return set }, "https://auth.example", log)
	f.s.SetClock(f.clock)
	return f
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// user creates a password-less user.
func (f *sessionsFixture) user(t *testing.T, email string) *latchkey.User {
	t.Helper()
	u := &latchkey.User{Identifiers: []*latchkey.Identifier{{Type: latchkey.IdentifierEmail, Value: email, Normalized: email}}}
	if err := f.store.CreateUser(context.Background(), u); err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

// signIn starts a session for user on the client of st (a new client when
// st has none), as a completed sign-in does, and returns the session.
func (f *sessionsFixture) signIn(t *testing.T, st *ClientState, u *latchkey.User) *latchkey.Session {
	t.Helper()
	ctx := context.Background()
	var sess *latchkey.Session
	err := f.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		if st.Client != nil {
			c, err := tx.ClientByID(ctx, st.Client.ID)
			if err != nil {
				return err
			}
			st.Client = c
		}
		if err := f.s.ensureClient(ctx, tx, st); err != nil {
			return err
		}
		var err error
		sess, err = f.s.startSession(ctx, tx, st, u, tx.Now(), RequestInfo{IP: "192.0.2.1", UserAgent: "test"})
		return err
	})
	if err != nil {
		t.Fatalf("start session: %v", err)
	}
	return sess
}

func (f *sessionsFixture) status(t *testing.T, id string) string {
	t.Helper()
	sess, err := f.store.SessionByID(context.Background(), id)
	if err != nil {
		t.Fatalf("session %s: %v", id, err)
	}
	return sess.Status
}

func (f *sessionsFixture) auditCount(t *testing.T, typ string) int {
	t.Helper()
	all, err := f.store.AuditEvents(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestResolveClient(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := context.Background()
		f := newSessionsFixture(t, store, nil)
		req := RequestInfo{IP: "198.51.100.9", UserAgent: "thief"}
		wantNone := func(what, credential string) {
			t.Helper()
			st, err := f.s.ResolveClient(ctx, credential, req)
			if err != nil || st.Client != nil || st.Revoked || st.Credential != "" {
				t.Errorf("%s: state %+v, err %v; want no client", what, st, err)
			}
		}
		wantNone("empty credential", "")
		wantNone("unknown credential", latchkey.RandomString(credentialLen))

		// Credentials longer than 128 bytes are not even looked up; 128 is.
		for _, n := range []int{128, 129} {
			long := strings.Repeat("x", n)
			err := store.InTx(ctx, func(tx *sqlstore.Tx) error {
				return tx.CreateClient(ctx, &latchkey.Client{TokenDigest: CredentialDigest(long)})
			})
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.s.ResolveClient(ctx, long, req)
			if found := err == nil && st.Client != nil; found != (n == 128) {
				t.Errorf("credential of %d bytes: found %v (err %v)", n, found, err)
			}
		}

		// A sign-in rotates the new client's first credential away.
		u := f.user(t, "ada@example.com")
		st := &ClientState{}
		sess := f.signIn(t, st, u)
		first := st.Client.PreviousDigest
		current := st.Credential
		if current == "" || len(current) != credentialLen || first == nil {
			t.Fatalf("after sign-in: credential %q, previous digest %x", current, first)
		}
		got, err := f.s.ResolveClient(ctx, current, req)
		if err != nil || got.Client == nil || got.Client.ID != st.Client.ID || got.Credential != "" || got.Revoked {
			t.Fatalf("current credential: %+v, %v", got, err)
		}
		// Find the rotated-away credential by its digest: we need its
		// secret, so sign in a second client whose first credential we keep.
		st2 := &ClientState{}
		err = store.InTx(ctx, func(tx *sqlstore.Tx) error { return f.s.ensureClient(ctx, tx, st2) })
		if err != nil {
			t.Fatal(err)
		}
		old := st2.Credential
		sess2 := f.signIn(t, st2, u)
		sess3 := f.signIn(t, &ClientState{Client: st2.Client}, u) // single-session: ends sess2
		if f.status(t, sess2.ID) != latchkey.SessionEnded {
			t.Errorf("a second sign-in on one client in single-session mode left the first %s", f.status(t, sess2.ID))
		}
		// That rotated again: old is two credentials back and opens nothing.
		if got, err := f.s.ResolveClient(ctx, old, req); err != nil || got.Client != nil {
			t.Errorf("credential two rotations back: %+v, %v; want no client", got, err)
		}

		// Within the grace window the previous credential still works.
		st3 := &ClientState{}
		err = store.InTx(ctx, func(tx *sqlstore.Tx) error { return f.s.ensureClient(ctx, tx, st3) })
		if err != nil {
			t.Fatal(err)
		}
		prev := st3.Credential
		sess4 := f.signIn(t, st3, u)
		f.advance(ReuseGrace)
		got, err = f.s.ResolveClient(ctx, prev, req)
		if err != nil || got.Client == nil || got.Client.ID != st3.Client.ID || got.Revoked {
			t.Fatalf("previous credential at the end of the grace window: %+v, %v", got, err)
		}
		if f.auditCount(t, "client.credential_reused") != 0 {
			t.Errorf("use within the grace window was audited as reuse")
		}
		// A millisecond later it is reuse: the client and its sessions are
		// revoked, and the event is audited with the request's details.
		f.advance(time.Millisecond)
		got, err = f.s.ResolveClient(ctx, prev, req)
		if err != nil || got.Client != nil || !got.Revoked {
			t.Fatalf("previous credential after the grace window: %+v, %v", got, err)
		}
		if s := f.status(t, sess4.ID); s != latchkey.SessionRevoked {
			t.Errorf("session after reuse: %s, want revoked", s)
		}
		c, err := store.ClientByID(ctx, st3.Client.ID)
		if err != nil || !c.Revoked() {
			t.Errorf("client after reuse: %+v, %v", c, err)
		}
		events, err := store.AuditEvents(ctx, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		var reused []*sqlstore.AuditEvent
		for _, e := range events {
			if e.Type == "client.credential_reused" {
				reused = append(reused, e)
			}
		}
		if len(reused) != 1 || reused[0].ClientID != st3.Client.ID || reused[0].IP != req.IP ||
			reused[0].Data["user_agent"] != "thief" || !strings.Contains(jsonOf(reused[0].Data["revoked_sessions"]), sess4.ID) {
			t.Errorf("reuse audit events: %s", jsonOf(reused))
		}
		if !strings.Contains(f.logs.String(), "client credential reused") {
			t.Errorf("reuse was not logged")
		}
		// The current credential of the revoked client is dead too, and
		// so is the stolen one; neither audits again.
		for name, cred := range map[string]string{"current": st3.Credential, "stolen": prev} {
			got, err := f.s.ResolveClient(ctx, cred, req)
			if err != nil || got.Client != nil || !got.Revoked {
				t.Errorf("%s credential of a revoked client: %+v, %v", name, got, err)
			}
		}
		if n := f.auditCount(t, "client.credential_reused"); n != 1 {
			t.Errorf("%d reuse events, want 1", n)
		}
		// Other clients are untouched.
		if f.status(t, sess.ID) != latchkey.SessionActive || f.status(t, sess3.ID) != latchkey.SessionActive {
			t.Errorf("reuse on one client ended sessions of others")
		}
	})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// tokenClaims decodes a JWT's payload without verifying it (package token
// and the web tests verify signatures).
func tokenClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSessionTokenRules(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := context.Background()
		f := newSessionsFixture(t, store, func(s *latchkey.Settings) {
			s.Session.LifetimeSeconds = 3600
			s.Session.InactivityTimeoutSeconds = 600
			s.Session.TokenLifetimeSeconds = 90
		})
		u := f.user(t, "ada@example.com")
		st := &ClientState{}
		sess := f.signIn(t, st, u)
		if d := sess.ExpireAt.Sub(sess.CreatedAt); d != time.Hour {
			t.Errorf("session lifetime %s, want 1h", d)
		}
		if d := sess.AbandonAt.Sub(sess.CreatedAt); d != 10*time.Minute {
			t.Errorf("inactivity deadline %s after creation, want 10m", d)
		}
		req := RequestInfo{Origin: "https://app.example"}

		// No client; a session of another client; an unknown session.
		_, _, err := f.s.Token(ctx, nil, sess.ID, req)
		wantCode(t, err, latchkey.CodeSignedOut, "")
		other := &ClientState{}
		f.signIn(t, other, f.user(t, "grace@example.com"))
		_, _, err = f.s.Token(ctx, other.Client, sess.ID, req)
		wantCode(t, err, latchkey.CodeSessionNotActive, "session_id")
		_, _, err = f.s.Token(ctx, st.Client, "sess_nope", req)
		wantCode(t, err, latchkey.CodeSessionNotActive, "session_id")

		// A token: claims, lifetime; minting writes nothing.
		f.advance(time.Minute)
		jwt, exp, err := f.s.Token(ctx, st.Client, sess.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		c := tokenClaims(t, jwt)
		if c["sub"] != u.ID || c["sid"] != sess.ID || c["azp"] != "https://app.example" || c["iss"] != "https://auth.example" ||
			c["exp"].(float64)-c["iat"].(float64) != 90 || int64(c["exp"].(float64)) != exp.Unix() {
			t.Errorf("claims %v (exp %v)", c, exp)
		}
		if fva := c["fva"].([]any); fva[0] != float64(1) || fva[1] != float64(-1) {
			t.Errorf("fva = %v, want [1 -1] a minute after the first factor", fva)
		}
		stored, _ := store.SessionByID(ctx, sess.ID)
		if !stored.LastActiveAt.Equal(sess.LastActiveAt) || !stored.UpdatedAt.Equal(sess.UpdatedAt) {
			t.Errorf("minting wrote the session: last active %v -> %v", sess.LastActiveAt, stored.LastActiveAt)
		}
		// Flushing writes the activity and moves the inactivity deadline.
		mintedAt := f.clock()
		if err := f.s.FlushActivity(ctx); err != nil {
			// On PostgreSQL: sqlstore.TouchSessions's "CASE WHEN abandon_at
			// = 0 THEN 0 ELSE ? END" types the parameter int4.
			t.Fatalf("flush activity with an inactivity timeout: %v", err)
		}
		stored, _ = store.SessionByID(ctx, sess.ID)
		if !stored.LastActiveAt.Equal(mintedAt) || !stored.AbandonAt.Equal(mintedAt.Add(10*time.Minute)) {
			t.Errorf("after flush: last active %v abandon %v, want %v and 10m later", stored.LastActiveAt, stored.AbandonAt, mintedAt)
		}
		// Activity never moves backwards, and an empty flush is fine.
		if err := store.TouchSessions(ctx, map[string]time.Time{sess.ID: mintedAt.Add(-time.Minute)}, 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := f.s.FlushActivity(ctx); err != nil {
			t.Fatal(err)
		}
		if again, _ := store.SessionByID(ctx, sess.ID); !again.LastActiveAt.Equal(mintedAt) {
			t.Errorf("older activity moved last_active_at back to %v", again.LastActiveAt)
		}

		// Touch counts as activity too: 9 minutes idle, touch, 9 more.
		f.advance(9 * time.Minute)
		if _, err := f.s.Touch(ctx, st.Client, sess.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.FlushActivity(ctx); err != nil {
			t.Fatal(err)
		}
		f.advance(9 * time.Minute)
		if _, _, err := f.s.Token(ctx, st.Client, sess.ID, req); err != nil {
			t.Fatalf("token 9 minutes after a touch: %v", err)
		}
		if err := f.s.FlushActivity(ctx); err != nil {
			t.Fatal(err)
		}
		// Idle past the timeout: refused and marked expired.
		f.advance(10 * time.Minute)
		_, _, err = f.s.Token(ctx, st.Client, sess.ID, req)
		wantCode(t, err, latchkey.CodeSessionNotActive, "")
		if s := f.status(t, sess.ID); s != latchkey.SessionExpired {
			t.Errorf("idle session status %s, want expired", s)
		}
		_, err = f.s.Touch(ctx, st.Client, sess.ID)
		wantCode(t, err, latchkey.CodeSessionNotActive, "")

		// The maximum lifetime holds however active the session is.
		st2 := &ClientState{}
		sess2 := f.signIn(t, st2, u)
		for range 6 {
			f.advance(9 * time.Minute)
			if _, _, err := f.s.Token(ctx, st2.Client, sess2.ID, req); err != nil {
				t.Fatalf("active session refused before its lifetime: %v", err)
			}
			if err := f.s.FlushActivity(ctx); err != nil {
				t.Fatal(err)
			}
		}
		f.advance(6 * time.Minute)
		_, _, err = f.s.Token(ctx, st2.Client, sess2.ID, req) // 60 minutes: the end
		wantCode(t, err, latchkey.CodeSessionNotActive, "")
		if s := f.status(t, sess2.ID); s != latchkey.SessionExpired {
			t.Errorf("session past its lifetime: %s, want expired", s)
		}

		// A banned user's session stops minting at once, even before
		// anything ended it.
		st3 := &ClientState{}
		sess3 := f.signIn(t, st3, u)
		if _, err := store.UpdateUser(ctx, u.ID, func(u *latchkey.User) error { u.Banned = true; return nil }); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.s.Token(ctx, st3.Client, sess3.ID, req)
		wantCode(t, err, latchkey.CodeSessionNotActive, "")
		_, _, err = f.s.MintForSession(ctx, sess3.ID)
		wantCode(t, err, latchkey.CodeSessionNotActive, "")

		// A user deleted between reading the session and minting: the
		// session is over, not a missing resource.
		ghost := f.user(t, "ghost@example.com")
		st4 := &ClientState{}
		sess4 := f.signIn(t, st4, ghost)
		if err := store.DeleteUser(ctx, ghost.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = f.s.mint(ctx, sess4, "")
		wantCode(t, err, latchkey.CodeSessionNotActive, "")
	})
}

func TestSessionsSignOut(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, store *sqlstore.Store) {
		ctx := context.Background()
		f := newSessionsFixture(t, store, func(s *latchkey.Settings) { s.Session.MultiSession = true })
		req := RequestInfo{IP: "192.0.2.1"}
		st := &ClientState{}
		a := f.signIn(t, st, f.user(t, "a@example.com"))
		f.advance(time.Second)
		b := f.signIn(t, st, f.user(t, "b@example.com"))
		f.advance(time.Second)
		f.set.Session.LifetimeSeconds = 300 // c will expire first
		c := f.signIn(t, st, f.user(t, "c@example.com"))
		f.set.Session.LifetimeSeconds = 86400
		f.advance(time.Second)
		if got, err := f.s.ActiveSessions(ctx, st.Client); err != nil || len(got) != 3 {
			t.Fatalf("multi-session: %d active sessions (%v), want 3", len(got), err)
		}
		// Switch to a, then sign out of b: a stays the active session,
		// though c was more recently active in the database.
		if err := f.s.SetActive(ctx, st, a.ID); err != nil {
			t.Fatal(err)
		}
		before := st.Client.TokenDigest
		ended, err := f.s.End(ctx, st, b.ID, req)
		if err != nil {
			t.Fatal(err)
		}
		if ended.Status != latchkey.SessionEnded || ended.EndedAt.IsZero() {
			t.Errorf("ended session %+v", ended)
		}
		if st.Client.LastActiveSessionID != a.ID {
			t.Errorf("after ending another account's session the active one is %s, want %s (unchanged)", st.Client.LastActiveSessionID, a.ID)
		}
		if st.Credential == "" || string(st.Client.PreviousDigest) != string(before) {
			t.Errorf("sign-out did not rotate the credential")
		}
		// Ending another client's session or an unknown one is refused.
		_, err = f.s.End(ctx, &ClientState{}, a.ID, req)
		wantCode(t, err, latchkey.CodeSignedOut, "")
		_, err = f.s.End(ctx, st, "sess_nope", req)
		wantCode(t, err, latchkey.CodeSessionNotActive, "session_id")

		// c is past its lifetime (still "active" in the database until
		// something marks it): ending a must not make c, which cannot mint
		// a token, the active session.
		f.advance(5 * time.Minute)
		if f.status(t, c.ID) != latchkey.SessionActive {
			t.Fatalf("c was marked before the test could end a")
		}
		if _, err := f.s.End(ctx, st, a.ID, req); err != nil {
			t.Fatal(err)
		}
		if st.Client.LastActiveSessionID != "" {
			t.Errorf("after the last usable session ended the client points at %q", st.Client.LastActiveSessionID)
		}
		// Switching to an unusable session is refused.
		err = f.s.SetActive(ctx, st, c.ID)
		wantCode(t, err, latchkey.CodeSessionNotActive, "")

		// Sign out of everything: every session ends, and the client
		// (rotated) has none.
		d := f.signIn(t, st, f.user(t, "d@example.com"))
		e := f.signIn(t, st, f.user(t, "e@example.com"))
		before = st.Client.TokenDigest
		if err := f.s.SignOutClient(ctx, st, req); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{d.ID, e.ID} {
			if s := f.status(t, id); s != latchkey.SessionEnded {
				t.Errorf("session %s after signing the client out: %s", id, s)
			}
		}
		if st.Client.LastActiveSessionID != "" || string(st.Client.PreviousDigest) != string(before) {
			t.Errorf("client after sign-out: %+v", st.Client)
		}
		if err := f.s.SignOutClient(ctx, &ClientState{}, req); err != nil {
			t.Errorf("signing out no client: %v", err)
		}

		// Revoke: only the owner (or an admin, with no owner given).
		g := f.signIn(t, &ClientState{}, f.user(t, "g@example.com"))
		_, err = f.s.Revoke(ctx, g.ID, "user_someone_else", req)
		wantCode(t, err, latchkey.CodeResourceNotFound, "session_id")
		_, err = f.s.Revoke(ctx, "sess_nope", "", req)
		wantCode(t, err, latchkey.CodeResourceNotFound, "session_id")
		for range 2 {
			got, err := f.s.Revoke(ctx, g.ID, g.UserID, req)
			if err != nil || got.Status != latchkey.SessionRevoked {
				t.Fatalf("revoke: %+v, %v", got, err)
			}
		}
		if n := f.auditCount(t, "session.revoked"); n != 1 {
			t.Errorf("%d session.revoked events for one revocation, want 1", n)
		}
	})
}
