// Package storetest opens throwaway stores for tests: SQLite always, and
// PostgreSQL too when LATCHKEY_TEST_POSTGRES_URL names a server (the test
// command starts one). Each store is migrated and private to its test: SQLite
// in the test's temp dir, PostgreSQL in a schema of its own, dropped at the end.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// PostgresEnv names the variable holding the test server's URL.
const PostgresEnv = "LATCHKEY_TEST_POSTGRES_URL"

// Engines returns the engines to test on: "sqlite", and "postgres" when
// PostgresEnv is set.
func Engines() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Each runs fn as a parallel subtest per engine, each with a fresh store.
func Each(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, engine))
		})
	}
}

// Open returns a fresh migrated store on engine, closed when the test ends.
func Open(t testing.TB, engine string) *sqlstore.Store {
	t.Helper()
	u := URL(t, engine)
	s, err := sqlstore.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("open %s store: %v", engine, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s store: %v", engine, err)
	}
	return s
}

// URL returns a database URL for a fresh, empty, unmigrated database on
// engine, removed when the test ends.
func URL(t testing.TB, engine string) string {
	t.Helper()
	switch engine {
	case "sqlite":
		return filepath.Join(t.TempDir(), "latchkey.db")
	case "postgres":
		base := os.Getenv(PostgresEnv)
		if base == "" {
			t.Skipf("%s is not set", PostgresEnv)
		}
		schema := "t_" + strings.ToLower(latchkey.RandomString(16))
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		defer admin.Close()
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatalf("create schema: %v", err)
		}
		t.Cleanup(func() {
			db, err := sql.Open("pgx", base)
			if err != nil {
				return
			}
			defer db.Close()
			db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		})
		pu, err := url.Parse(base)
		if err != nil {
			t.Fatalf("parse %s: %v", PostgresEnv, err)
		}
		q := pu.Query()
		q.Set("search_path", schema)
		pu.RawQuery = q.Encode()
		return pu.String()
	default:
		panic(fmt.Sprintf("storetest: unknown engine %q", engine))
	}
}
