package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testPassword passes the default password rules.
const testPassword = "correct horse battery staple 42"

// syncBuffer is a bytes.Buffer safe to write from the server's goroutines
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// envFunc returns a getenv over vars only, so tests never see the
// developer's own LATCHKEY_* settings.
func envFunc(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runCmd runs one short command (migrate, keys, api-keys, version...)
// through run and returns its output.
func runCmd(t *testing.T, getenv func(string) string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = run(ctx, append([]string{"latchkey"}, args...), getenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// mustRunCmd is runCmd that fails the test on an error.
func mustRunCmd(t *testing.T, getenv func(string) string, args ...string) string {
	t.Helper()
	out, errOut, err := runCmd(t, getenv, args...)
	if err != nil {
		t.Fatalf("latchkey %s: %v\nstderr:\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// server is a `latchkey dev` or `latchkey serve` running in-process through
// run, in its own goroutine.
type server struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan struct{}
	err    error // valid once done is closed
	stdout *syncBuffer
	stderr *syncBuffer
}

// startRun starts run with args in a goroutine. It is stopped (and waited
// for) when the test ends, if the test has not stopped it already.
func startRun(t *testing.T, getenv func(string) string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{t: t, cancel: cancel, done: make(chan struct{}), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() {
		defer close(s.done)
		s.err = run(ctx, append([]string{"latchkey"}, args...), getenv, s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("latchkey %s did not stop within 30s of its context ending", args[0])
		}
	})
	return s
}

// stop cancels the server's context and returns what run returned.
func (s *server) stop() error {
	s.t.Helper()
	s.cancel()
	select {
	case <-s.done:
		return s.err
	case <-time.After(30 * time.Second):
		s.t.Fatalf("run did not return within 30s of its context ending\nstderr:\n%s", s.stderr.String())
		return nil
	}
}

// devServer is a running `latchkey dev` and what it wrote to dev-keys.json.
type devServer struct {
	*server
	dataDir string
	keys    devKeys
	base    string // http://127.0.0.1:PORT
}

// startDev starts `latchkey dev` on port 0 with data in dataDir (and any
// extra flags), waits until it has printed its banner (written after
// dev-keys.json) and /readyz answers 200, and returns it.
func startDev(t *testing.T, dataDir string, extra ...string) *devServer {
	t.Helper()
	return startDevEnv(t, nil, dataDir, extra...)
}

// startDevEnv is startDev with environment variables.
func startDevEnv(t *testing.T, env map[string]string, dataDir string, extra ...string) *devServer {
	t.Helper()
	args := append([]string{"dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, extra...)
	s := startRun(t, envFunc(env), args...)
	waitFor(t, 30*time.Second, "the dev banner", func() bool {
		select {
		case <-s.done:
			t.Fatalf("latchkey dev exited early: %v\nstderr:\n%s", s.err, s.stderr.String())
		default:
		}
		return strings.Contains(s.stdout.String(), "Keys for scripts")
	})
	d := &devServer{server: s, dataDir: dataDir, keys: readDevKeys(t, dataDir)}
	d.base = strings.TrimSuffix(d.keys.BackendAPIURL, "/api/v1")
	waitReady(t, d.base)
	return d
}

// readDevKeys reads and decodes DATA_DIR/dev-keys.json, rejecting unknown
// fields so the file's shape is checked too.
func readDevKeys(t *testing.T, dataDir string) devKeys {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dataDir, "dev-keys.json"))
	if err != nil {
		t.Fatalf("read dev-keys.json: %v", err)
	}
	var k devKeys
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&k); err != nil {
		t.Fatalf("decode dev-keys.json: %v\n%s", err, raw)
	}
	return k
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitReady polls base/readyz until it answers 200.
func waitReady(t testing.TB, base string) {
	t.Helper()
	var last string
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := httpClient.Get(base + "/readyz")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/readyz not ready within 30s: %s", base, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

// call sends a Backend API request with secret key sk (none if empty) and
// a JSON body (none if nil), decodes a JSON answer into out (if non-nil) and
// returns the status.
func call(t testing.TB, method, url, sk string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if sk != "" {
		req.Header.Set("Authorization", "Bearer "+sk)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, url, raw, err)
		}
	}
	if resp.StatusCode >= 300 {
		t.Logf("%s %s: %d %s", method, url, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// apiUser is the part of the Backend API user JSON the tests look at.
type apiUser struct {
	Object         string `json:"object"`
	ID             string `json:"id"`
	EmailAddresses []struct {
		EmailAddress string `json:"email_address"`
	} `json:"email_addresses"`
}

func (u apiUser) email() string {
	if len(u.EmailAddresses) == 0 {
		return ""
	}
	return u.EmailAddresses[0].EmailAddress
}

type apiUserList struct {
	Data       []apiUser `json:"data"`
	TotalCount int       `json:"total_count"`
}

// createUser creates a user with email and the test password and returns it.
func createUser(t testing.TB, backendURL, sk, email string) apiUser {
	t.Helper()
	var u apiUser
	body := map[string]any{"email_address": []string{email}, "password": testPassword}
	if st := call(t, "POST", backendURL+"/users", sk, body, &u); st != http.StatusOK {
		t.Fatalf("create user %s: status %d, want 200", email, st)
	}
	if u.Object != "user" || u.ID == "" || u.email() != email {
		t.Fatalf("create user %s: got %+v", email, u)
	}
	return u
}

// fileMode returns the permission bits of path.
func fileMode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
