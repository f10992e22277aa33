package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// engine names the database engine. Every difference between SQLite and
// PostgreSQL that the SQL cannot hide is in this file.
type engine string

const (
	sqlite   engine = "sqlite"
	postgres engine = "postgres"
)

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... Queries in this
// package never contain a literal question mark.
func (e engine) rebind(query string) string {
	if e != postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// uniqueViolation reports whether err is a unique-constraint violation and,
// if the engine says, which index or constraint was violated (SQLite names the
// columns instead: "identifiers.type, identifiers.normalized").
func uniqueViolation(err error) (constraint string, ok bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.ConstraintName, pgErr.Code == "23505"
	}
	var sqErr *msqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code()
		if code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			return sqErr.Error(), true
		}
	}
	return "", false
}

// tableExists reports whether the table exists where the connection's
// unqualified names resolve (PostgreSQL: on its search_path).
func tableExists(ctx context.Context, c conn, name string) (bool, error) {
	q := `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)`
	if c.engine == postgres {
		q = `SELECT to_regclass(?) IS NOT NULL`
	}
	var ok bool
	if err := c.queryRow(ctx, q, name).Scan(&ok); err != nil {
		return false, fmt.Errorf("table %s exists: %w", name, err)
	}
	return ok, nil
}

// lockTable serialises writers of one table on PostgreSQL for the rest of
// the transaction (SQLite has one writer, so it needs nothing).
func (tx *Tx) lockTable(ctx context.Context, table string) error {
	if tx.engine != postgres {
		return nil
	}
	if _, err := tx.exec(ctx, `LOCK TABLE `+table+` IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock %s: %w", table, err)
	}
	return nil
}
