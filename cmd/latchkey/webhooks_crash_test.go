package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
	"github.com/latchkeyhq/latchkey/webhook"
)

// Bounds of the webhook crash test: the burst is bounded in count and the
// waits in time. The settle wait covers delivery.Lease: deliveries the
// killed process had claimed come back only when their lease ends.
const (
	whCrashClients    = 16
	whCrashMaxCreates = 600
	whCrashAfter      = time.Second
	whRollbackEvery   = 8 // every 8th creation is followed by a duplicate that must roll back
	whSettle          = delivery.Lease + 30*time.Second
	whSlowMin         = 50 * time.Millisecond
	whSlowSpread      = 150 // ms added, by webhook-id, to whSlowMin
)

// TestWebhookCrash SIGKILLs a latchkey child process while hundreds of user
// creations are arriving and a slow loopback receiver is being sent their
// user.created webhooks, restarts it on the same data, and waits (past the
// claim lease) until every delivery has succeeded. Then every user that
// exists has exactly one user.created event, delivered at least once, every
// copy with the same webhook-id; every delivered event is of a user that
// exists, with the data that committed (never that of a creation that
// rolled back); and every request carried a valid signature. On PostgreSQL
// (LATCHKEY_TEST_POSTGRES_URL) two processes share the database and the
// work, one is killed, and the survivor goes on alone until the other is
// back. Duplicates are allowed only for what the killed process had
// claimed and not recorded: every webhook-id received twice must be one of
// the deliveries left claimed in the database at the kill.
func TestWebhookCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and waits out a delivery lease; skipped with -short")
	}
	t.Parallel() // mostly waiting for the lease: let the package's other tests run meanwhile
	bin := buildBinary(t)
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testWebhookCrashSQLite(t, bin)
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.PostgresEnv) == "" {
			t.Skipf("%s is not set", storetest.PostgresEnv)
		}
		t.Parallel()
		testWebhookCrashPostgres(t, bin)
	})
}

func testWebhookCrashSQLite(t *testing.T, bin string) {
	dataDir := t.TempDir()
	rcv := newWebhookReceiver(t)
	c := startChild(t, bin, dataDir)
	endpointID := rcv.register(t, c.keys)

	b := startWebhookBurst([]*child{c})
	b.waitForKillPoint(t)
	b.kill(t, 0)
	left := claimedDeliveries(t, filepath.Join(dataDir, "latchkey.db"))
	b.wait()
	t.Logf("killed after %v: %s; %d deliveries received before the kill, %d left claimed",
		b.sinceStart(), b.summary(), rcv.count(), len(left))
	b.checkFailures(t)

	startChild(t, bin, dataDir)
	checkWebhooksSettle(t, rcv, endpointID, filepath.Join(dataDir, "latchkey.db"), b, left)
}

func testWebhookCrashPostgres(t *testing.T, bin string) {
	dbURL := storetest.URL(t, "postgres")
	env := map[string]string{"LATCHKEY_MASTER_KEY": seal.GenerateKey()} // one key: the secrets are sealed with it
	dirA, dirB := t.TempDir(), t.TempDir()
	rcv := newWebhookReceiver(t)
	// One after the other: the first start migrates the empty schema.
	first := startChildWith(t, bin, dirA, env, "--database-url", dbURL)
	second := startChildWith(t, bin, dirB, env, "--database-url", dbURL)
	endpointID := rcv.register(t, first.keys)

	b := startWebhookBurst([]*child{first, second})
	b.waitForKillPoint(t)
	b.kill(t, 0)
	// The killed one's claims, and the survivor's of the moment.
	left := claimedDeliveries(t, dbURL)
	b.wait() // the clients of the second go on to the end of the burst
	t.Logf("killed one of two after %v: %s; %d deliveries received by the end of the burst, %d claimed at the kill",
		b.sinceStart(), b.summary(), rcv.count(), len(left))
	b.checkFailures(t)

	// The killed one comes back and shares the rest, as after a real crash.
	startChildWith(t, bin, dirA, env, "--database-url", dbURL)
	checkWebhooksSettle(t, rcv, endpointID, dbURL, b, left)
}

// checkWebhooksSettle waits, bounded, until the database has no delivery
// left to make and every user it holds has been received, then checks what
// the receiver got against the database. leftClaimed holds the event IDs
// whose deliveries were claimed and unrecorded at the kill: the only ones
// that may arrive twice.
func checkWebhooksSettle(t *testing.T, rcv *webhookReceiver, endpointID, dbURL string, b *webhookBurst, leftClaimed map[string]bool) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open the database after the crash: %v", err)
	}
	defer store.Close()
	var (
		users  []*latchkey.User
		counts map[string]int64
	)
	start := time.Now()
	waitFor(t, whSettle, "every delivery to succeed and every user's user.created to arrive", func() bool {
		if counts, err = store.WebhookDeliveryCounts(ctx, endpointID); err != nil {
			t.Fatalf("delivery counts: %v", err)
		}
		if counts["pending"] > 0 {
			return false
		}
		if users, _, err = store.Users(ctx, sqlstore.UserFilter{}); err != nil {
			t.Fatalf("list users: %v", err)
		}
		got := rcv.byUser()
		for _, u := range users {
			if len(got[u.ID]) == 0 {
				return false
			}
		}
		return true
	})
	t.Logf("settled %v after the restart: %d users, deliveries %v", time.Since(start).Round(time.Millisecond), len(users), counts)
	if counts["failed"] != 0 || counts["succeeded"] != int64(len(users)) {
		t.Errorf("deliveries %v, want %d succeeded (one per user) and none failed", counts, len(users))
	}
	if acked := b.ackedCount(); len(users) < acked {
		t.Errorf("%d users stored, fewer than the %d acknowledged", len(users), acked)
	}

	// The store holds exactly one user.created per user.
	events := map[string]*latchkey.Event{} // by user ID
	for after := int64(0); ; {
		page, more, err := store.Events(ctx, sqlstore.EventFilter{After: after, Types: []string{latchkey.EventUserCreated}, Limit: 500})
		if err != nil {
			t.Fatalf("read the events: %v", err)
		}
		for _, e := range page {
			if events[e.ObjectID] != nil {
				t.Errorf("user %s has two user.created events: %s and %s", e.ObjectID, events[e.ObjectID].ID, e.ID)
			}
			events[e.ObjectID] = e
			after = e.Cursor
		}
		if !more {
			break
		}
	}

	exists := map[string]*latchkey.User{}
	for _, u := range users {
		exists[u.ID] = u
		if events[u.ID] == nil {
			t.Errorf("user %s has no user.created event in the store", u.ID)
		}
	}
	received := rcv.byUser()
	duplicates := 0
	for userID, copies := range received {
		u := exists[userID]
		if u == nil {
			t.Errorf("user.created delivered for %s, which does not exist (%d copies, email %q)", userID, len(copies), copies[0].email)
			continue
		}
		for _, c := range copies {
			if ev := events[userID]; ev != nil && c.webhookID != ev.ID {
				t.Errorf("user %s: delivered with webhook-id %s, want its event's id %s", userID, c.webhookID, ev.ID)
			}
			if c.webhookID != copies[0].webhookID {
				t.Errorf("user %s: copies with webhook-ids %s and %s, want one", userID, copies[0].webhookID, c.webhookID)
			}
			if c.firstName != whKeptName {
				t.Errorf("user %s: delivered first_name %q: the data of a rolled-back creation", userID, c.firstName)
			}
			if emails := u.EmailAddresses(); len(emails) != 1 || emails[0].Value != c.email {
				t.Errorf("user %s: delivered email %q, stored %v", userID, c.email, emails)
			}
		}
		duplicates += len(copies) - 1
		// Only what the dead process had sent without recording it may
		// come again; anything else was sent twice by a live process.
		if len(copies) > 1 && !leftClaimed[copies[0].webhookID] {
			t.Errorf("user %s: %d copies of %s, which was not left claimed at the kill: a double send by a live process",
				userID, len(copies), copies[0].webhookID)
		}
	}
	for _, email := range b.rolledBackEmails() {
		n := 0
		for _, copies := range received {
			if copies[0].email == email {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s (created once, then a duplicate rolled back) is in %d delivered users, want 1", email, n)
		}
	}
	bad := rcv.failures()
	for _, f := range bad {
		t.Errorf("receiver: %s", f)
	}
	t.Logf("received %d requests for %d users: %d duplicates (same webhook-id), of %d deliveries claimed at the kill; %d rolled-back duplicates; %d bad requests",
		rcv.count(), len(received), duplicates, len(leftClaimed), b.rollbacks.Load(), len(bad))
}

// whKeptName is the first name of every creation that should commit; the
// duplicates that must roll back carry whRolledBackName.
const (
	whKeptName       = "Kept"
	whRolledBackName = "RolledBack"
)

// webhookReceiver is a slow loopback webhook receiver that verifies every
// signature and records what it received.
type webhookReceiver struct {
	srv    *httptest.Server
	secret atomic.Pointer[string]
	mu     sync.Mutex
	got    []webhookCopy
	bad    []string
}

type webhookCopy struct {
	webhookID, userID, email, firstName string
}

// newWebhookReceiver starts the receiver on 127.0.0.1; it is closed when the
// test ends (after the children, which are killed first).
func newWebhookReceiver(t *testing.T) *webhookReceiver {
	t.Helper()
	r := &webhookReceiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *webhookReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	if err != nil {
		return // the sender died mid-request
	}
	secret := r.secret.Load()
	if secret == nil {
		r.fail("request before the endpoint was registered")
		http.Error(w, "no secret", http.StatusBadRequest)
		return
	}
	if err := webhook.Verify([]string{*secret}, req.Header, body, time.Now()); err != nil {
		r.fail(fmt.Sprintf("signature of %s: %v", req.Header.Get("webhook-id"), err))
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			apiUser
			FirstName string `json:"first_name"`
		} `json:"data"`
	}
	id := req.Header.Get("webhook-id")
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != id || ev.Type != latchkey.EventUserCreated || ev.Data.ID == "" {
		r.fail(fmt.Sprintf("webhook-id %s: unexpected body %.200s (%v)", id, body, err))
		http.Error(w, "unexpected", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.got = append(r.got, webhookCopy{webhookID: id, userID: ev.Data.ID, email: ev.Data.email(), firstName: ev.Data.FirstName})
	r.mu.Unlock()
	// Slow, by an amount fixed per webhook-id; a sender that goes away
	// ends the wait.
	h := fnv.New32a()
	h.Write([]byte(id))
	delay := whSlowMin + time.Duration(h.Sum32()%whSlowSpread)*time.Millisecond
	select {
	case <-time.After(delay):
		w.WriteHeader(http.StatusNoContent)
	case <-req.Context().Done():
	}
}

func (r *webhookReceiver) fail(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bad = append(r.bad, s)
}

func (r *webhookReceiver) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.bad...)
}

func (r *webhookReceiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// byUser returns the copies received, by user ID.
func (r *webhookReceiver) byUser() map[string][]webhookCopy {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]webhookCopy{}
	for _, c := range r.got {
		out[c.userID] = append(out[c.userID], c)
	}
	return out
}

// register creates the receiver's endpoint for user.created through the
// Backend API and keeps the secret it returns.
func (r *webhookReceiver) register(t *testing.T, keys devKeys) string {
	t.Helper()
	var ep struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	body := map[string]any{"url": r.srv.URL + "/hooks", "event_types": []string{latchkey.EventUserCreated}}
	if st := call(t, "POST", keys.BackendAPIURL+"/webhooks/endpoints", keys.SecretKey, body, &ep); st != http.StatusOK {
		t.Fatalf("create the webhook endpoint: status %d", st)
	}
	if ep.ID == "" || !strings.HasPrefix(ep.Secret, webhook.SecretPrefix) {
		t.Fatalf("create the webhook endpoint: got %+v", ep)
	}
	r.secret.Store(&ep.Secret)
	return ep.ID
}

// webhookBurst creates users through the Backend API of one or more
// children, whCrashClients clients spread over them, until whCrashMaxCreates
// have been started or their child is killed. Every whRollbackEvery-th
// acknowledged user is sent again (same email, another first name), which
// must fail and roll back.
type webhookBurst struct {
	children []*child
	killed   []chan struct{} // per child
	start    time.Time
	next     atomic.Int64
	acked    atomic.Int64
	inFlight atomic.Int64
	// rollbacks counts duplicates refused as the test intends.
	rollbacks atomic.Int64
	wg        sync.WaitGroup
	mu        sync.Mutex
	rolled    []string // emails whose duplicate was refused
	failures  []string
	atKill    string
}

func startWebhookBurst(children []*child) *webhookBurst {
	b := &webhookBurst{children: children, start: time.Now()}
	for range children {
		b.killed = append(b.killed, make(chan struct{}))
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: whCrashClients}}
	for w := range whCrashClients {
		b.wg.Go(func() {
			defer client.CloseIdleConnections()
			b.client(client, w%len(children))
		})
	}
	return b
}

func (b *webhookBurst) isKilled(n int) bool {
	select {
	case <-b.killed[n]:
		return true
	default:
		return false
	}
}

// client runs one client's share of the burst against children[n].
func (b *webhookBurst) client(client *http.Client, n int) {
	c := b.children[n]
	url := c.keys.BackendAPIURL + "/users"
	for !b.isKilled(n) {
		i := b.next.Add(1)
		if i > whCrashMaxCreates {
			return
		}
		email := fmt.Sprintf("wh-crash-%03d@example.com", i)
		b.inFlight.Add(1)
		status, body, err := postUserNamed(client, url, c.keys.SecretKey, email, whKeptName)
		b.inFlight.Add(-1)
		switch {
		case err != nil && b.isKilled(n):
			return
		case err != nil:
			b.fail("%s: %v", email, err)
			return
		case status != http.StatusOK:
			b.fail("%s: status %d: %s", email, status, body)
			continue
		}
		b.acked.Add(1)
		if i%whRollbackEvery != 0 {
			continue
		}
		// The email is taken now: this creation inserts its user row, fails
		// on the email's unique index, and rolls back with its event.
		status, body, err = postUserNamed(client, url, c.keys.SecretKey, email, whRolledBackName)
		switch {
		case err != nil && b.isKilled(n):
			return
		case err != nil:
			b.fail("duplicate %s: %v", email, err)
			return
		case status/100 != 4:
			b.fail("duplicate %s: status %d, want 4xx: %s", email, status, body)
		default:
			b.rollbacks.Add(1)
			b.mu.Lock()
			b.rolled = append(b.rolled, email)
			b.mu.Unlock()
		}
	}
}

func (b *webhookBurst) fail(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures = append(b.failures, fmt.Sprintf(format, args...))
}

// waitForKillPoint waits until whCrashAfter has passed and some creations
// were acknowledged, or half of them were: on a quiet machine the burst
// would otherwise end before the kill.
func (b *webhookBurst) waitForKillPoint(t *testing.T) {
	t.Helper()
	waitFor(t, 30*time.Second, "the first acknowledged creations", func() bool {
		n := b.acked.Load()
		return n >= whCrashMaxCreates/2 || n >= 1 && time.Since(b.start) >= whCrashAfter
	})
}

// kill SIGKILLs children[n] and checks it died of it, not before.
func (b *webhookBurst) kill(t *testing.T, n int) {
	t.Helper()
	b.atKill = fmt.Sprintf("%d acknowledged, %d creations in flight, %d started",
		b.acked.Load(), b.inFlight.Load(), min(b.next.Load(), whCrashMaxCreates))
	close(b.killed[n])
	c := b.children[n]
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL the child: %v", err)
	}
	c.wait(t)
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL", c.cmd.ProcessState)
	}
}

// wait waits for every client to stop: at the end of the burst, or at the
// kill of its child.
func (b *webhookBurst) wait() { b.wg.Wait() }

func (b *webhookBurst) sinceStart() time.Duration { return time.Since(b.start).Round(time.Millisecond) }

func (b *webhookBurst) summary() string {
	return fmt.Sprintf("at the kill %s; %d acknowledged in all", b.atKill, b.acked.Load())
}

func (b *webhookBurst) ackedCount() int { return int(b.acked.Load()) }

func (b *webhookBurst) rolledBackEmails() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.rolled...)
}

// checkFailures fails the test for any creation that failed while its
// server was up.
func (b *webhookBurst) checkFailures(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.failures {
		t.Errorf("creation failed while its server was up: %s", f)
	}
}

// claimedDeliveries returns the event IDs of the deliveries that are
// claimed (a lease running) and not yet recorded. Right after a SIGKILL
// these include everything the dead process had sent, or was sending,
// without recording the result.
func claimedDeliveries(t *testing.T, dbURL string) map[string]bool {
	t.Helper()
	driver := "sqlite"
	if strings.HasPrefix(dbURL, "postgres://") {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(fmt.Sprintf(`SELECT event_id FROM webhook_deliveries WHERE status = 'pending' AND claimed_until > %d`,
		time.Now().UnixMilli()))
	if err != nil {
		t.Fatalf("read the claimed deliveries: %v", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// postUserNamed creates a user without a password (no hashing: the burst
// measures the outbox, not argon2id) and reports transport errors rather
// than failing, since the server is killed under it.
func postUserNamed(client *http.Client, url, sk, email, firstName string) (status int, body string, err error) {
	raw, _ := json.Marshal(map[string]any{"email_address": []string{email}, "first_name": firstName,
		"skip_password_requirement": true})
	req, err := http.NewRequest("POST", url, bytes.NewReader(raw))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sk)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}
