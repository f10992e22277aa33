package sqlstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// addEvent writes one event in a transaction of its own.
func addEvent(t *testing.T, s *sqlstore.Store, typ, objectID, data string) *latchkey.Event {
	t.Helper()
	e := &latchkey.Event{Type: typ, ObjectID: objectID, Data: json.RawMessage(data)}
	if err := s.InTx(t.Context(), func(tx *sqlstore.Tx) error { return tx.AddEvent(t.Context(), e) }); err != nil {
		t.Fatalf("AddEvent: %v", err)
	}
	return e
}

func allEvents(t *testing.T, s *sqlstore.Store) []*latchkey.Event {
	t.Helper()
	evs, more, err := s.Events(t.Context(), sqlstore.EventFilter{Limit: 10_000})
	if err != nil || more {
		t.Fatalf("Events = more %v, %v", more, err)
	}
	return evs
}

func TestAddEvent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		setClock(s)
		a1 := addEvent(t, s, latchkey.EventUserCreated, "user_a", `{"object":"user","id":"user_a"}`)
		b1 := addEvent(t, s, latchkey.EventSessionCreated, "sess_b", `{"object":"session"}`)
		a2 := addEvent(t, s, latchkey.EventUserUpdated, "user_a", `{"object":"user","id":"user_a","n":2}`)

		if len(a1.ID) != len("evt_")+27 || a1.ID[:4] != "evt_" {
			t.Errorf("ID = %q, want evt_ + 27 characters", a1.ID)
		}
		if a1.Sequence != 1 || b1.Sequence != 1 || a2.Sequence != 2 {
			t.Errorf("sequences = %d, %d, %d, want 1, 1, 2", a1.Sequence, b1.Sequence, a2.Sequence)
		}
		if !(a1.Cursor < b1.Cursor && b1.Cursor < a2.Cursor) {
			t.Errorf("cursors = %d, %d, %d, want increasing", a1.Cursor, b1.Cursor, a2.Cursor)
		}
		got := allEvents(t, s)
		if len(got) != 3 {
			t.Fatalf("feed has %d events, want 3", len(got))
		}
		for i, want := range []*latchkey.Event{a1, b1, a2} {
			g := got[i]
			if g.ID != want.ID || g.Type != want.Type || g.ObjectID != want.ObjectID || g.Sequence != want.Sequence ||
				g.Cursor != want.Cursor || string(g.Data) != string(want.Data) || !g.CreatedAt.Equal(stored(base)) {
				t.Errorf("event %d = %+v, want %+v at %v", i, g, want, stored(base))
			}
		}

		bad := &latchkey.Event{Type: latchkey.EventUserUpdated, ObjectID: "user_a", Data: json.RawMessage(`{`)}
		if err := s.InTx(t.Context(), func(tx *sqlstore.Tx) error { return tx.AddEvent(t.Context(), bad) }); err == nil {
			t.Error("AddEvent with invalid JSON succeeded")
		}
	})
}

// An event rolls back with its transaction: nothing in the feed, and the
// object's next event still gets the next sequence number.
func TestAddEventRollback(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		first := addEvent(t, s, latchkey.EventUserCreated, "user_a", `{}`)
		boom := errors.New("boom")
		err := s.InTx(t.Context(), func(tx *sqlstore.Tx) error {
			if err := tx.AddEvent(t.Context(), &latchkey.Event{Type: latchkey.EventUserUpdated, ObjectID: "user_a", Data: json.RawMessage(`{}`)}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v, want boom", err)
		}
		if got := allEvents(t, s); len(got) != 1 || got[0].ID != first.ID {
			t.Fatalf("feed after rollback = %d events, want only the first", len(got))
		}
		next := addEvent(t, s, latchkey.EventUserUpdated, "user_a", `{}`)
		if next.Sequence != 2 || next.Cursor <= first.Cursor {
			t.Errorf("after rollback: sequence %d cursor %d, want 2 and > %d", next.Sequence, next.Cursor, first.Cursor)
		}
	})
}

func TestEventsPagingAndTypes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		var all []*latchkey.Event
		types := []string{latchkey.EventUserCreated, latchkey.EventSessionCreated, latchkey.EventUserUpdated}
		for i := range 7 {
			all = append(all, addEvent(t, s, types[i%3], fmt.Sprintf("obj_%d", i), `{}`))
		}
		var got []string
		after := int64(0)
		for pages := 0; ; pages++ {
			if pages > 4 {
				t.Fatal("paging does not end")
			}
			evs, more, err := s.Events(t.Context(), sqlstore.EventFilter{After: after, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				got = append(got, e.ID)
				after = e.Cursor
			}
			if !more {
				break
			}
		}
		if len(got) != len(all) {
			t.Fatalf("paged %d events, want %d", len(got), len(all))
		}
		for i := range all {
			if got[i] != all[i].ID {
				t.Errorf("page order: event %d = %s, want %s", i, got[i], all[i].ID)
			}
		}

		evs, more, err := s.Events(t.Context(), sqlstore.EventFilter{Types: []string{latchkey.EventUserCreated, latchkey.EventUserUpdated}, Limit: 100})
		if err != nil || more {
			t.Fatalf("Events by type: more %v, %v", more, err)
		}
		if len(evs) != 5 {
			t.Errorf("user events = %d, want 5", len(evs))
		}
		for _, e := range evs {
			if e.Type == latchkey.EventSessionCreated {
				t.Errorf("type filter returned %s", e.Type)
			}
		}
	})
}

func TestDeleteEventsBefore(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		addEvent(t, s, latchkey.EventUserCreated, "user_a", `{}`)
		addEvent(t, s, latchkey.EventUserUpdated, "user_a", `{}`)
		cutoff := c.Add(time.Hour)
		kept := addEvent(t, s, latchkey.EventUserUpdated, "user_a", `{}`)

		n, err := s.DeleteEventsBefore(t.Context(), cutoff, 1)
		if err != nil || n != 1 {
			t.Fatalf("DeleteEventsBefore(limit 1) = %d, %v, want 1", n, err)
		}
		if n, err = s.DeleteEventsBefore(t.Context(), cutoff, 100); err != nil || n != 1 {
			t.Fatalf("DeleteEventsBefore = %d, %v, want 1", n, err)
		}
		if got := allEvents(t, s); len(got) != 1 || got[0].ID != kept.ID {
			t.Fatalf("after sweep: %d events, want only the newest", len(got))
		}
		// Sequences and cursors go on from where they were.
		next := addEvent(t, s, latchkey.EventUserUpdated, "user_a", `{}`)
		if next.Sequence != 4 || next.Cursor <= kept.Cursor {
			t.Errorf("after sweep: sequence %d cursor %d, want 4 and > %d", next.Sequence, next.Cursor, kept.Cursor)
		}
	})
}

// Concurrent writers hold their transactions open for a random while after
// adding their event and some roll back; a reader polling the feed all the
// while must see every committed event exactly once, in cursor order. With
// a BIGSERIAL cursor on PostgreSQL this fails: a later cursor commits first,
// the reader moves past the earlier one, and never sees it
// (TestEventCursorVersusBigserial shows that interleaving step by step).
func TestEventsConcurrentWritersCommitOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		const writers, perWriter = 8, 15
		committed := make(chan string, writers*perWriter)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perWriter {
					e := &latchkey.Event{Type: latchkey.EventUserUpdated, ObjectID: fmt.Sprintf("user_%d", w), Data: json.RawMessage(`{}`)}
					rollback := rand.IntN(5) == 0
					err := s.InTx(t.Context(), func(tx *sqlstore.Tx) error {
						if err := tx.AddEvent(t.Context(), e); err != nil {
							return err
						}
						time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
						if rollback {
							return errRollback
						}
						return nil
					})
					switch {
					case rollback && errors.Is(err, errRollback):
					case err != nil:
						t.Errorf("writer %d event %d: %v", w, i, err)
						return
					default:
						committed <- e.ID
					}
				}
			}()
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()

		seen := map[string]bool{}
		var after int64
		poll := func() {
			evs, _, err := s.Events(t.Context(), sqlstore.EventFilter{After: after, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Cursor <= after || seen[e.ID] {
					t.Fatalf("event %s at cursor %d after %d: out of order or repeated", e.ID, e.Cursor, after)
				}
				seen[e.ID], after = true, e.Cursor
			}
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
				poll()
			}
		}
		for range 1000 { // drain what committed since the last poll
			n := len(seen)
			poll()
			if len(seen) == n {
				break
			}
		}
		close(committed)
		want := 0
		for id := range committed {
			want++
			if !seen[id] {
				t.Errorf("the polling reader missed committed event %s", id)
			}
		}
		if len(seen) != want {
			t.Errorf("reader saw %d events, %d committed", len(seen), want)
		}
		// Each object's sequences are 1..N with no gaps from rollbacks.
		next := map[string]int64{}
		for _, e := range allEvents(t, s) {
			next[e.ObjectID]++
			if e.Sequence != next[e.ObjectID] {
				t.Errorf("%s: sequence %d, want %d", e.ObjectID, e.Sequence, next[e.ObjectID])
			}
		}
	})
}

var errRollback = errors.New("roll back")

// Transactions that add an event and then lock a user row run concurrently
// with updates that lock the row first and then add their event. Were the
// event cursor taken in AddEvent, each would hold the lock the other waits
// for (PostgreSQL aborts one with a deadlock); it is taken in Commit, after
// every other lock.
func TestEventsNoDeadlock(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		// A fixed clock: only the first ResetFailedSignIns changes what the
		// API shows (last_sign_in_at), so only it adds a user.updated.
		setClock(s)
		u := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ada@example.com")}})
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 10 {
					var err error
					if (w+i)%2 == 0 {
						_, err = s.UpdateUser(t.Context(), u.ID, func(u *latchkey.User) error { u.FirstName = fmt.Sprint(w, i); return nil })
					} else {
						err = s.InTx(t.Context(), func(tx *sqlstore.Tx) error {
							e := &latchkey.Event{Type: latchkey.EventSessionCreated, ObjectID: fmt.Sprintf("sess_%d_%d", w, i), Data: json.RawMessage(`{}`)}
							if err := tx.AddEvent(t.Context(), e); err != nil {
								return err
							}
							time.Sleep(time.Millisecond)
							return tx.ResetFailedSignIns(t.Context(), u.ID)
						})
					}
					if err != nil {
						t.Errorf("writer %d step %d: %v", w, i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if got := len(allEvents(t, s)); got != 1+8*10+1 {
			t.Errorf("%d events, want %d", got, 1+8*10+1)
		}
	})
}

// eventsOf returns the types and sequences of the events of one object.
func eventsOf(t *testing.T, s *sqlstore.Store, objectID string) []string {
	t.Helper()
	var out []string
	for _, e := range allEvents(t, s) {
		if e.ObjectID == objectID {
			out = append(out, fmt.Sprintf("%s#%d", e.Type, e.Sequence))
		}
	}
	return out
}

// Every change to a user or a session writes one event in its transaction;
// a change that fails writes none.
func TestStoreWritesEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		u := mustCreateUser(t, s, &latchkey.User{FirstName: "Ada", Identifiers: []*latchkey.Identifier{email("ada@example.com")}})
		if err := s.CreateUser(ctx, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ADA@example.com")}}); err == nil {
			t.Fatal("duplicate email accepted")
		}
		if _, err := s.UpdateUser(ctx, u.ID, func(u *latchkey.User) error { u.LastName = "Lovelace"; return nil }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if _, err := s.UpdateUser(ctx, u.ID, func(u *latchkey.User) error { u.LastName = "X"; return boom }); !errors.Is(err, boom) {
			t.Fatalf("UpdateUser = %v, want boom", err)
		}
		if n := len(allEvents(t, s)); n != 2 {
			t.Errorf("%d events after one create, one failed create, one update, one failed update; want 2", n)
		}
		evs := allEvents(t, s)
		var data struct {
			Object, ID string
			LastName   *string `json:"last_name"`
		}
		if err := json.Unmarshal(evs[1].Data, &data); err != nil || data.Object != "user" || data.ID != u.ID || data.LastName == nil || *data.LastName != "Lovelace" {
			t.Errorf("user.updated data = %s", evs[1].Data)
		}

		// Sessions: created, and each way of ending, once.
		var ids []string
		err := s.InTx(ctx, func(tx *sqlstore.Tx) error {
			c := &latchkey.Client{TokenDigest: []byte("digest")}
			if err := tx.CreateClient(ctx, c); err != nil {
				return err
			}
			for range 3 {
				sess := &latchkey.Session{ClientID: c.ID, UserID: u.ID, Status: latchkey.SessionActive, ExpireAt: base.Add(time.Hour)}
				if err := tx.CreateSession(ctx, sess); err != nil {
					return err
				}
				ids = append(ids, sess.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, status := range []string{latchkey.SessionEnded, latchkey.SessionRevoked, latchkey.SessionRemoved} {
			err := s.InTx(ctx, func(tx *sqlstore.Tx) error {
				if ok, err := tx.EndSession(ctx, ids[i], status); !ok || err != nil {
					return fmt.Errorf("EndSession = %v, %v", ok, err)
				}
				// Ending it again changes nothing and writes nothing.
				if ok, err := tx.EndSession(ctx, ids[i], latchkey.SessionRevoked); ok || err != nil {
					return fmt.Errorf("second EndSession = %v, %v", ok, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"session.created#1", "session." + status + "#2"}
			if got := eventsOf(t, s, ids[i]); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("session events = %v, want %v", got, want)
			}
		}

		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, u.ID); !errors.Is(err, latchkey.ErrNotFound) {
			t.Fatalf("second DeleteUser = %v", err)
		}
		want := []string{"user.created#1", "user.updated#2", "user.deleted#3"}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("user events = %v, want %v", got, want)
		}
		evs = allEvents(t, s)
		if last := evs[len(evs)-1]; string(last.Data) != `{"object":"user","id":"`+u.ID+`","deleted":true}` {
			t.Errorf("user.deleted data = %s", last.Data)
		}
	})
}
