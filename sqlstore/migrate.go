package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered SQL file. Migrations are forward-only.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the engine's migrations in order.
func (e engine) migrations() ([]migration, error) {
	dir := "migrations/" + string(e)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, ent := range entries {
		name := ent.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", name)
		}
		body, err := fs.ReadFile(migrationFiles, dir+"/"+name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d (no gaps, no duplicates)", m.name, i+1)
		}
	}
	return out, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction. On PostgreSQL an advisory lock makes concurrent start-ups of
// several processes safe: one migrates, the others wait and find nothing to do.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	all, err := s.engine.migrations()
	if err != nil {
		return nil, err
	}
	createTable := `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`
	// Under the lock too: on PostgreSQL, concurrent CREATE TABLE IF NOT EXISTS
	// of the same table can fail with a unique violation in pg_type.
	err = s.withTx(ctx, func(tx *Tx) error {
		if err := s.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.exec(ctx, createTable)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, m := range all {
		err := s.withTx(ctx, func(tx *Tx) error {
			if err := s.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			// Not rebound: a migration's "?" (in a comment, or PostgreSQL's
			// jsonb operator) is not a placeholder.
			if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, ms(tx.now)); err != nil {
				return err
			}
			applied = append(applied, m.name)
			return nil
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return applied, nil
}

// lockMigrations serialises migrations across processes on PostgreSQL until
// tx ends. SQLite needs nothing: a write transaction is exclusive already.
func (s *Store) lockMigrations(ctx context.Context, tx *Tx) error {
	if s.engine != postgres {
		return nil
	}
	if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7253916041)`); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// PendingMigrations returns how many embedded migrations the database has not
// applied yet. /readyz uses it.
func (s *Store) PendingMigrations(ctx context.Context) (int, error) {
	all, err := s.engine.migrations()
	if err != nil {
		return 0, err
	}
	var latest int
	r := s.reader()
	// Before the first Migrate there is no schema_migrations table: nothing
	// is applied yet.
	if ok, err := tableExists(ctx, r, "schema_migrations"); err != nil {
		return len(all), fmt.Errorf("read schema version: %w", err)
	} else if !ok {
		return len(all), nil
	}
	if err := r.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return len(all), fmt.Errorf("read schema version: %w", err)
	}
	return len(all) - latest, nil
}
