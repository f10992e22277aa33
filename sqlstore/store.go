// Package sqlstore is Latchkey's storage: one concrete *Store over database/sql
// serving SQLite (embedded, the default) and PostgreSQL (scale-out) from one
// code path. SQL is written once with ? placeholders and rebound for
// PostgreSQL; the genuine differences between the engines live in dialect.go.
//
// Guarantees: SQLite runs in WAL mode with synchronous=FULL, so a committed
// write survives power loss; all SQLite writes go through one connection, so
// concurrent writers queue in Go instead of failing with "database is locked";
// reads use a separate pool. Times are stored as Unix milliseconds.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/latchkeyhq/latchkey"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	engine engine
	write  *sql.DB // SQLite: one connection; PostgreSQL: the shared pool
	read   *sql.DB // SQLite: a read-only pool; PostgreSQL: the same pool as write
	now    func() time.Time

	readStmts stmtCache
	// queued receives a value (without blocking) after every commit that
	// queued webhook deliveries, so this process's workers start at once.
	queued chan struct{}
}

// Open connects to the database named by url: "postgres://..." (or
// "postgresql://...") for PostgreSQL, otherwise a SQLite file path, optionally
// prefixed with "sqlite:" or "file:". The SQLite file's directory is created.
// Open does not migrate; call Migrate.
func Open(ctx context.Context, url string) (*Store, error) {
	s := &Store{now: time.Now, queued: make(chan struct{}, 1)}
	switch {
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s.engine = postgres
		db, err := sql.Open("pgx", url)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
		db.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.write, s.read = db, db
	default:
		s.engine = sqlite
		path := strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "file:")
		if path == "" {
			return nil, errors.New("open sqlite: empty database path")
		}
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, fmt.Errorf("open sqlite: create directory: %w", err)
			}
		}
		var err error
		if s.write, err = sql.Open("sqlite", sqliteDSN(path, false)); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// One writer: SQLite allows one write transaction at a time anyway, and
		// queuing in database/sql is fair and never returns SQLITE_BUSY.
		s.write.SetMaxOpenConns(1)
		s.write.SetMaxIdleConns(1)
		s.write.SetConnMaxLifetime(0)
		if s.read, err = sql.Open("sqlite", sqliteDSN(path, true)); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		s.read.SetMaxOpenConns(max(4, 2*runtime.NumCPU()))
		s.read.SetMaxIdleConns(max(4, 2*runtime.NumCPU()))
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// sqliteDSN builds the connection string. The pragmas run on every new
// connection. _txlock=immediate takes the write lock at BEGIN, so a write
// transaction never fails half-way on lock upgrade.
func sqliteDSN(path string, readOnly bool) string {
	q := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=journal_mode(WAL)&_time_format=sqlite"
	if readOnly {
		q = "mode=ro&" + strings.Replace(q, "&_pragma=journal_mode(WAL)", "", 1)
	} else {
		q += "&_txlock=immediate"
	}
	return "file:" + path + "?" + q
}

// Engine returns "sqlite" or "postgres".
func (s *Store) Engine() string { return string(s.engine) }

// SetClock replaces the store's clock; tests use it.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if s.read != s.write {
		if err := s.read.PingContext(ctx); err != nil {
			return fmt.Errorf("ping database (readers): %w", err)
		}
	}
	return nil
}

// Close closes every connection.
func (s *Store) Close() error {
	var err error
	s.readStmts.close()
	if s.read != nil && s.read != s.write {
		err = s.read.Close()
	}
	if s.write != nil {
		err = errors.Join(err, s.write.Close())
	}
	return err
}

// Stats returns the connection pool statistics of the writer pool.
func (s *Store) Stats() sql.DBStats { return s.write.Stats() }

// Tx is a write transaction. Callers must Commit or Rollback; Rollback after
// Commit is a no-op, so `defer tx.Rollback()` is always safe.
type Tx struct {
	conn
	tx  *sql.Tx
	now time.Time // one timestamp for the whole transaction
	// ctx is BeginTx's context, for the writes Commit makes: the events
	// added with AddEvent, written last.
	ctx    context.Context
	events []*latchkey.Event
	// queued counts the webhook deliveries this transaction queued; Commit
	// signals them on signal.
	queued int64
	signal chan struct{}
}

// BeginTx starts a write transaction.
func (s *Store) BeginTx(ctx context.Context) (*Tx, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	// Truncated to what the database keeps (Unix milliseconds), so the times
	// a write hands back equal the times a later read returns.
	now := s.now().UTC().Truncate(time.Millisecond)
	return &Tx{conn: conn{q: tx, engine: s.engine}, tx: tx, now: now, ctx: ctx, signal: s.queued}, nil
}

// Commit writes the events added to the transaction and commits it. If
// writing the events fails, the transaction is rolled back.
func (tx *Tx) Commit() error {
	if err := tx.writeEvents(tx.ctx); err != nil {
		tx.tx.Rollback()
		return err
	}
	if err := tx.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if tx.queued > 0 {
		select {
		case tx.signal <- struct{}{}:
		default: // a signal is already waiting
		}
	}
	return nil
}

// DeliveriesQueued receives a value soon after a transaction of this Store
// queued webhook deliveries. Workers of other processes (PostgreSQL) find
// them by polling.
func (s *Store) DeliveriesQueued() <-chan struct{} { return s.queued }

// Rollback aborts the transaction.
func (tx *Tx) Rollback() error {
	if err := tx.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// reader returns a connection for reads outside a transaction.
func (s *Store) reader() conn { return conn{q: s.read, engine: s.engine, stmts: &s.readStmts} }

// withTx runs fn in a write transaction and commits it if fn returns nil.
func (s *Store) withTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx, err := s.BeginTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs SQL written with ? placeholders on either engine.
type conn struct {
	q      querier
	engine engine
	stmts  *stmtCache // reads outside transactions reuse prepared statements
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return c.q.ExecContext(ctx, c.engine.rebind(query), args...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = c.engine.rebind(query)
	if st := c.stmts.get(ctx, c.q, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, query, args...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = c.engine.rebind(query)
	if st := c.stmts.get(ctx, c.q, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

// stmtCache keeps prepared statements for the read pool: parsing SQL was a
// quarter of the CPU time of a token refresh. It holds at most
// maxCachedStmts statements, so queries built with variable text (IN lists,
// paging) cannot grow it without bound; those run unprepared.
type stmtCache struct {
	m sync.Map // query -> *sql.Stmt
	n atomic.Int32
}

const maxCachedStmts = 256

func (c *stmtCache) get(ctx context.Context, q querier, query string) *sql.Stmt {
	db, ok := q.(*sql.DB)
	if c == nil || !ok {
		return nil
	}
	if v, ok := c.m.Load(query); ok {
		return v.(*sql.Stmt)
	}
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	if v, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return v.(*sql.Stmt)
	}
	c.n.Add(1)
	return st
}

func (c *stmtCache) close() {
	c.m.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
}

// ms converts a time to Unix milliseconds (0 for the zero time).
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts Unix milliseconds to a UTC time (the zero time for 0).
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// InTx runs fn in a write transaction and commits it if fn returns nil. It
// is how other packages compose several writes atomically.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	return s.withTx(ctx, fn)
}

// Now returns the transaction's timestamp.
func (tx *Tx) Now() time.Time { return tx.now }
