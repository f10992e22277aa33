package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	_ "modernc.org/sqlite"
)

// Burst limits for the crash test: bounded in count and in time.
const (
	crashWorkers    = 16
	crashMaxCreates = 300
	crashAfter      = time.Second
)

// TestCrashSafety SIGKILLs a real latchkey child process in the middle of a
// burst of user creations, then checks that the database opens cleanly and
// passes SQLite's integrity check, that every user whose creation was
// acknowledged with a 2xx is there with its email, and that the binary
// starts again on the same data and serves them.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	t.Parallel()
	bin := buildBinary(t)
	dataDir := t.TempDir()
	child := startChild(t, bin, dataDir)
	usersURL := child.keys.BackendAPIURL + "/users"

	type ack struct{ email, id string }
	var (
		mu       sync.Mutex
		acks     []ack
		failures []string // before the kill, every request must succeed
		next     atomic.Int64
		inFlight atomic.Int64
		killed   = make(chan struct{})
		wg       sync.WaitGroup
	)
	isKilled := func() bool {
		select {
		case <-killed:
			return true
		default:
			return false
		}
	}
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: crashWorkers},
	}
	defer client.CloseIdleConnections()
	start := time.Now()
	for range crashWorkers {
		wg.Go(func() {
			for !isKilled() {
				i := next.Add(1)
				if i > crashMaxCreates {
					return
				}
				email := fmt.Sprintf("crash-%03d@example.com", i)
				inFlight.Add(1)
				status, id, body, err := postUser(client, usersURL, child.keys.SecretKey, email)
				inFlight.Add(-1)
				mu.Lock()
				switch {
				case err != nil:
					if !isKilled() {
						failures = append(failures, fmt.Sprintf("%s: %v", email, err))
					}
				case status/100 == 2 && id != "":
					acks = append(acks, ack{email, id})
				case status/100 == 2:
					failures = append(failures, fmt.Sprintf("%s: %d without an id: %s", email, status, body))
				default:
					failures = append(failures, fmt.Sprintf("%s: status %d: %s", email, status, body))
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	acked := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acks)
	}
	waitFor(t, 30*time.Second, "the first acknowledged creations", func() bool {
		return acked() >= 1 && time.Since(start) >= crashAfter
	})
	pending := inFlight.Load()
	close(killed)
	if err := child.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL the child: %v", err)
	}
	wg.Wait()
	child.wait(t)
	if ws, ok := child.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL (the burst ended before the kill?)", child.cmd.ProcessState)
	}
	t.Logf("killed after %v: %d acknowledged, %d requests in flight, %d started",
		time.Since(start).Round(time.Millisecond), len(acks), pending, min(next.Load(), crashMaxCreates))
	if pending == 0 {
		t.Logf("no request was in flight at the kill; the burst may have ended early")
	}
	for _, f := range failures {
		t.Errorf("creation failed while the server was up: %s", f)
	}

	// The database opens cleanly and is intact.
	ctx := context.Background()
	dbPath := filepath.Join(dataDir, "latchkey.db")
	store, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("open the database after the crash: %v", err)
	}
	defer store.Close()
	checkIntegrity(t, dbPath)
	if n, err := store.PendingMigrations(ctx); err != nil || n != 0 {
		t.Errorf("pending migrations after the crash: %d, %v", n, err)
	}

	// Every acknowledged creation is durable.
	for _, a := range acks {
		u, err := store.UserByID(ctx, a.id)
		if err != nil {
			t.Errorf("acknowledged user %s (%s) after the crash: %v", a.id, a.email, err)
			continue
		}
		emails := u.EmailAddresses()
		if len(emails) != 1 || emails[0].Value != a.email || u.PasswordHash == "" {
			t.Errorf("acknowledged user %s after the crash: emails %v, password set %v; want %s with a password",
				a.id, emails, u.PasswordHash != "", a.email)
		}
		byEmail, err := store.UserByIdentifier(ctx, latchkey.IdentifierEmail, a.email)
		if err != nil || byEmail.ID != a.id {
			t.Errorf("user by email %s after the crash: %v, %v; want %s", a.email, byEmail, err, a.id)
		}
	}
	stored, err := store.CountUsers(ctx, sqlstore.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if stored < len(acks) {
		t.Errorf("%d users stored, fewer than the %d acknowledged", stored, len(acks))
	}
	if err := store.Close(); err != nil {
		t.Errorf("close the store: %v", err)
	}

	// The binary starts again on the same data and serves every user.
	child2 := startChild(t, bin, dataDir)
	var count struct {
		TotalCount int `json:"total_count"`
	}
	if st := call(t, "GET", child2.keys.BackendAPIURL+"/users/count", child2.keys.SecretKey, nil, &count); st != http.StatusOK {
		t.Fatalf("count users after restart: status %d", st)
	}
	if count.TotalCount < len(acks) || count.TotalCount != stored {
		t.Errorf("users after restart: %d, want %d (as stored), at least the %d acknowledged", count.TotalCount, stored, len(acks))
	}
	var list apiUserList
	if st := call(t, "GET", child2.keys.BackendAPIURL+"/users?limit=500", child2.keys.SecretKey, nil, &list); st != http.StatusOK {
		t.Fatalf("list users after restart: status %d", st)
	}
	listed := map[string]string{}
	for _, u := range list.Data {
		listed[u.ID] = u.email()
	}
	if list.TotalCount < len(acks) {
		t.Errorf("list after restart: total_count %d < %d acknowledged", list.TotalCount, len(acks))
	}
	for _, a := range acks {
		if listed[a.id] != a.email {
			t.Errorf("list after restart: %s is %q, want %s", a.id, listed[a.id], a.email)
		}
	}

	// SIGTERM shuts the binary down gracefully: exit status 0.
	if err := child2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	child2.wait(t)
	if !child2.cmd.ProcessState.Success() {
		t.Errorf("after SIGTERM the child exited with %v, want 0\nstderr:\n%s", child2.cmd.ProcessState, child2.stderr.String())
	}
}

// postUser creates a user, reporting transport errors rather than failing,
// since the server is killed under it.
func postUser(client *http.Client, url, sk, email string) (status int, id, body string, err error) {
	raw, _ := json.Marshal(map[string]any{"email_address": []string{email}, "password": testPassword})
	req, err := http.NewRequest("POST", url, bytes.NewReader(raw))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sk)
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", "", err
	}
	var u apiUser
	if json.Unmarshal(b, &u) == nil && u.email() == email {
		id = u.ID
	}
	return resp.StatusCode, id, string(b), nil
}

// checkIntegrity runs SQLite's own consistency checks on a plain connection.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`PRAGMA integrity_check`)
	if err != nil {
		t.Fatalf("integrity_check: %v", err)
	}
	var results []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		results = append(results, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(results) != 1 || results[0] != "ok" {
		t.Errorf("integrity_check after the crash = %q, want ok", results)
	}
	rows, err = db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Errorf("foreign_key_check after the crash found violations")
	}
}

// buildBinary builds cmd/latchkey (without -race, so it runs at full
// speed) into the test's temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the binary with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		t.Fatalf("go env GOMOD: %q, %v", gomod, err)
	}
	bin := filepath.Join(t.TempDir(), "latchkey")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/latchkey")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// child is a latchkey binary running `dev` as a child process.
type child struct {
	cmd    *exec.Cmd
	stdout *syncBuffer
	stderr *syncBuffer
	exited chan struct{}
	keys   devKeys
}

// startChild starts `bin dev` on a free loopback port with data in dataDir
// and waits until it is ready. The child is killed when the test ends.
func startChild(t *testing.T, bin, dataDir string) *child {
	t.Helper()
	return startChildWith(t, bin, dataDir, nil)
}

// startChildWith is startChild with LATCHKEY_* variables and extra flags
// (the child gets none of the test process's own LATCHKEY_* variables).
func startChildWith(t *testing.T, bin, dataDir string, env map[string]string, extra ...string) *child {
	t.Helper()
	c := &child{stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	c.cmd = exec.Command(bin, append([]string{"dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, extra...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LATCHKEY_") {
			c.cmd.Env = append(c.cmd.Env, kv)
		}
	}
	for k, v := range env {
		c.cmd.Env = append(c.cmd.Env, k+"="+v)
	}
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() {
		c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() {
		c.cmd.Process.Kill()
		<-c.exited
	})
	// The banner is printed after dev-keys.json is written, so waiting for
	// it (not for the file, left by an earlier run) yields this run's port.
	waitFor(t, 30*time.Second, "the child's banner", func() bool {
		select {
		case <-c.exited:
			t.Fatalf("child exited early: %v\nstderr:\n%s", c.cmd.ProcessState, c.stderr.String())
		default:
		}
		return strings.Contains(c.stdout.String(), "Keys for scripts")
	})
	c.keys = readDevKeys(t, dataDir)
	waitReady(t, strings.TrimSuffix(c.keys.BackendAPIURL, "/api/v1"))
	return c
}

// wait waits (bounded) for the child to exit.
func (c *child) wait(t *testing.T) {
	t.Helper()
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("child did not exit within 30s")
	}
}
