package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLitePragmas checks the settings the package documentation promises on
// the connections that really serve writes and reads, including a connection
// opened after the first one was closed (the pragmas must come with every
// connection, not be set once).
func TestSQLitePragmas(t *testing.T) {
	t.Parallel()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "latchkey.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}

	writer := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL: a committed write survives power loss
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
	}
	for round := range 2 {
		if round == 1 {
			// Close the idle writer connection so the next query opens a new one.
			s.write.SetMaxIdleConns(0)
			s.write.SetMaxIdleConns(1)
		}
		for _, p := range writer {
			if got := pragma(t, s.write, p.pragma); got != p.want {
				t.Errorf("round %d: writer PRAGMA %s = %s, want %s", round, p.pragma, got, p.want)
			}
		}
		if got := pragma(t, s.read, "journal_mode"); got != "wal" {
			t.Errorf("round %d: reader PRAGMA journal_mode = %s, want wal", round, got)
		}
		if got := pragma(t, s.read, "foreign_keys"); got != "1" {
			t.Errorf("round %d: reader PRAGMA foreign_keys = %s, want 1", round, got)
		}
	}
	if got := s.write.Stats().OpenConnections; got != 1 {
		t.Errorf("writer open connections = %d, want 1", got)
	}

	// The reader pool cannot write, so no write can bypass the one writer.
	_, err = s.read.ExecContext(t.Context(), `INSERT INTO api_keys (id, prefix, digest, created_at) VALUES ('ak_x', 'x', x'00', 1)`)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "readonly") {
		t.Errorf("write through the reader pool = %v, want a read-only error", err)
	}
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return strings.ToLower(v)
}
