package sqlstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// base is the fixed start of every test clock. Its sub-millisecond part makes
// a test notice if the store hands back a time it did not store: times are
// stored as Unix milliseconds.
var base = time.Date(2031, 5, 6, 7, 8, 9, 123_456_789, time.UTC)

// clock is a test clock that moves only when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

// setClock gives s a fixed clock starting at base.
func setClock(s *sqlstore.Store) *clock {
	c := &clock{now: base}
	s.SetClock(c.Now)
	return c
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock forward and returns the new time.
func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// stored is t as the store keeps it: Unix milliseconds, UTC.
func stored(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }

// Identifiers as the service builds them: Normalized is the unique key,
// lower-cased for email addresses and usernames.
func email(v string) *latchkey.Identifier {
	return &latchkey.Identifier{Type: latchkey.IdentifierEmail, Value: v, Normalized: strings.ToLower(v),
		Verification: latchkey.Verification{Status: latchkey.VerificationUnverified}}
}

func phone(v string) *latchkey.Identifier {
	return &latchkey.Identifier{Type: latchkey.IdentifierPhone, Value: v, Normalized: v,
		Verification: latchkey.Verification{Status: latchkey.VerificationUnverified}}
}

func username(v string) *latchkey.Identifier {
	return &latchkey.Identifier{Type: latchkey.IdentifierUsername, Value: v, Normalized: strings.ToLower(v),
		Verification: latchkey.Verification{Status: latchkey.VerificationUnverified}}
}

// mustCreateUser creates u and fails the test on error.
func mustCreateUser(t *testing.T, s *sqlstore.Store, u *latchkey.User) *latchkey.User {
	t.Helper()
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// wantCode fails the test unless err is a *latchkey.Error with code and param.
func wantCode(t *testing.T, err error, code latchkey.Code, param string) {
	t.Helper()
	var e *latchkey.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want a *latchkey.Error with code %s", err, code)
	}
	if e.Code != code || e.Param != param {
		t.Fatalf("error code, param = %s, %q, want %s, %q (error: %v)", e.Code, e.Param, code, param, err)
	}
}

// wantNotFound fails the test unless err is latchkey.ErrNotFound.
func wantNotFound(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, latchkey.ErrNotFound) {
		t.Fatalf("error = %v, want latchkey.ErrNotFound", err)
	}
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		prefix string
	}{
		{"plain path", ""},
		{"sqlite prefix", "sqlite:"},
		{"file prefix", "file:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A directory that does not exist yet: Open creates it.
			path := filepath.Join(t.TempDir(), "a", "b", "latchkey.db")
			s, err := sqlstore.Open(t.Context(), tt.prefix+path)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if got := s.Engine(); got != "sqlite" {
				t.Errorf("Engine() = %q, want sqlite", got)
			}
			if err := s.Ping(t.Context()); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if _, err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("database file: %v", err)
			}
		})
	}
}

func TestOpenPostgresScheme(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			u := storetest.URL(t, "postgres") // skips without a server
			u = scheme + strings.SplitN(u, "://", 2)[1]
			s, err := sqlstore.Open(t.Context(), u)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if got := s.Engine(); got != "postgres" {
				t.Errorf("Engine() = %q, want postgres", got)
			}
			if _, err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
		})
	}
}

func TestOpenError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
	}{
		{"empty", ""},
		{"empty sqlite path", "sqlite:"},
		{"empty file path", "file:"},
		{"sqlite directory is a file", "sqlite:" + filepath.Join(os.Args[0], "x", "latchkey.db")},
		{"postgres server not there", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlstore.Open(t.Context(), tt.url)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tt.url)
			}
		})
	}
}

func TestPingClose(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Ping(t.Context()); err == nil {
			t.Fatal("Ping after Close succeeded, want an error")
		}
		if _, err := s.UserByID(t.Context(), "user_x"); err == nil || errors.Is(err, latchkey.ErrNotFound) {
			t.Fatalf("UserByID after Close = %v, want a closed-database error", err)
		}
	})
}

func TestStats(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		got := s.Stats().MaxOpenConnections
		switch s.Engine() {
		case "sqlite":
			// One writer connection: SQLite writes queue in Go.
			if got != 1 {
				t.Errorf("MaxOpenConnections = %d, want 1", got)
			}
		case "postgres":
			if got < 8 {
				t.Errorf("MaxOpenConnections = %d, want at least 8", got)
			}
		}
	})
}

func TestBeginTx(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		tx, err := s.BeginTx(t.Context())
		if err != nil {
			t.Fatalf("BeginTx: %v", err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if err := tx.Rollback(); err != nil {
			t.Errorf("Rollback after Commit = %v, want nil", err)
		}

		tx, err = s.BeginTx(t.Context())
		if err != nil {
			t.Fatalf("BeginTx: %v", err)
		}
		if s.Engine() == "sqlite" {
			// The one writer is taken: a second write transaction waits.
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			defer cancel()
			if tx2, err := s.BeginTx(ctx); !errors.Is(err, context.DeadlineExceeded) {
				if err == nil {
					tx2.Rollback()
				}
				t.Errorf("second BeginTx while one is open = %v, want context.DeadlineExceeded", err)
			}
		}
		if err := tx.Rollback(); err != nil {
			t.Fatalf("Rollback: %v", err)
		}
		if err := tx.Rollback(); err != nil {
			t.Errorf("second Rollback = %v, want nil", err)
		}
		if err := tx.Commit(); err == nil {
			t.Error("Commit after Rollback succeeded, want an error")
		}
		// The writer is free again.
		u := mustCreateUser(t, s, &latchkey.User{FirstName: "After"})
		if _, err := s.UserByID(t.Context(), u.ID); err != nil {
			t.Fatalf("UserByID: %v", err)
		}
	})
}

// together calls fn(0) ... fn(n-1) on n goroutines released at the same
// moment, so the calls overlap as much as they can. With a store, it first
// fills the store's connection pool, so that no call is late for having to
// dial. A race these tests look for then shows nearly every run.
func together(t *testing.T, s *sqlstore.Store, n int, fn func(i int)) {
	t.Helper()
	if s != nil && s.Engine() == "postgres" {
		conns := s.Stats().MaxOpenConnections
		var begun, wg sync.WaitGroup
		begun.Add(conns)
		for range conns {
			wg.Go(func() {
				tx, err := s.BeginTx(t.Context())
				begun.Done()
				if err != nil {
					return
				}
				begun.Wait() // hold every connection open at once
				tx.Rollback()
			})
		}
		wg.Wait()
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}
