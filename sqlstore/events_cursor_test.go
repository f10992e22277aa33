package sqlstore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// feedReader polls a feed the way a consumer does: it remembers the last
// cursor it saw and asks only for what comes after.
type feedReader struct {
	after int64
	seen  map[string]bool
}

func (r *feedReader) take(cursors map[string]int64) {
	for id, c := range cursors {
		r.seen[id] = true
		r.after = max(r.after, c)
	}
}

// TestEventCursorVersusBigserial is the proof behind the event cursor's
// design, on PostgreSQL: the same interleaving of two writers and a polling
// reader loses an event with a BIGSERIAL cursor (taken when the row is
// inserted) and loses nothing with the store's cursor (taken at commit
// under the event_cursor row lock). Writer A inserts first, writer B
// inserts and commits, the reader polls, then A commits.
func TestEventCursorVersusBigserial(t *testing.T) {
	t.Parallel()
	if !contains(storetest.Engines(), "postgres") {
		t.Skipf("PostgreSQL only (%s is not set)", storetest.PostgresEnv)
	}
	ctx := context.Background()

	t.Run("bigserial loses an event", func(t *testing.T) {
		db, err := sql.Open("pgx", storetest.URL(t, "postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`CREATE TABLE feed (ordinal BIGSERIAL PRIMARY KEY, id TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		insert := func(tx *sql.Tx, id string) {
			if _, err := tx.Exec(`INSERT INTO feed (id) VALUES ($1)`, id); err != nil {
				t.Fatal(err)
			}
		}
		poll := func(r *feedReader) {
			rows, err := db.Query(`SELECT id, ordinal FROM feed WHERE ordinal > $1 ORDER BY ordinal`, r.after)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			got := map[string]int64{}
			for rows.Next() {
				var id string
				var c int64
				rows.Scan(&id, &c)
				got[id] = c
			}
			r.take(got)
		}
		a, _ := db.BeginTx(ctx, nil)
		b, _ := db.BeginTx(ctx, nil)
		insert(a, "A") // takes ordinal 1
		insert(b, "B") // takes ordinal 2
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		r := &feedReader{seen: map[string]bool{}}
		poll(r) // sees B at 2
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		poll(r) // asks for ordinal > 2: A, at 1, is never seen
		if r.seen["A"] || !r.seen["B"] {
			t.Fatalf("with BIGSERIAL the reader saw %v; this interleaving must lose A, or this test proves nothing", r.seen)
		}
	})

	t.Run("the store's cursor loses nothing", func(t *testing.T) {
		s := storetest.Open(t, "postgres")
		add := func(tx *sqlstore.Tx, obj string) *latchkey.Event {
			e := &latchkey.Event{Type: latchkey.EventUserUpdated, ObjectID: obj, Data: json.RawMessage(`{}`)}
			if err := tx.AddEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
			return e
		}
		poll := func(r *feedReader) {
			evs, _, err := s.Events(ctx, sqlstore.EventFilter{After: r.after, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int64{}
			for _, e := range evs {
				got[e.ID] = e.Cursor
			}
			r.take(got)
		}
		a, err := s.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Rollback()
		b, err := s.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Rollback()
		ea := add(a, "user_a")
		eb := add(b, "user_b")
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
		r := &feedReader{seen: map[string]bool{}}
		poll(r)
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		poll(r)
		if !r.seen[ea.ID] || !r.seen[eb.ID] {
			t.Fatalf("the reader saw %v, want both %s and %s", r.seen, ea.ID, eb.ID)
		}
		if !(eb.Cursor < ea.Cursor) {
			t.Errorf("cursors A=%d B=%d: B committed first and must have the smaller cursor", ea.Cursor, eb.Cursor)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
