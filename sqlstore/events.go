package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// AddEvent adds e to the transaction: it is written when the transaction
// commits, inside it, so the event commits or rolls back with the change it
// describes (the outbox rule). AddEvent sets e's ID (when empty) and
// CreatedAt; the commit sets its Cursor and Sequence.
//
// The cursor must follow commit order, or a feed reader could pass a cursor
// whose transaction has not committed yet and never see that event. A
// PostgreSQL sequence (BIGSERIAL) does not: two transactions take 7 and 8,
// 8 commits first, a reader returns 8 and moves past 7 for good. Instead the
// cursor comes from the single row of event_cursor, incremented by the
// commit: the UPDATE locks the row until the transaction ends, so a
// concurrent committer waits at its own UPDATE until this one has committed
// (and become visible) or rolled back, and only then takes the next value.
// Cursors are therefore assigned in commit order on PostgreSQL; SQLite has
// one writer at a time anyway. Taking that lock (and the per-object sequence
// rows, in object ID order) only in Commit, as the very last writes, keeps
// event-writing transactions serialized for the shortest time and means no
// transaction ever waits for another lock while holding the cursor: no
// deadlock with the row locks the changes themselves take. A rolled-back
// transaction takes nothing.
func (tx *Tx) AddEvent(ctx context.Context, e *latchkey.Event) error {
	if e.Type == "" || e.ObjectID == "" {
		return errors.New("add event: type and object ID are required")
	}
	if !json.Valid(e.Data) {
		return fmt.Errorf("add event %s: data is not valid JSON", e.Type)
	}
	if e.ID == "" {
		e.ID = latchkey.NewID(latchkey.PrefixEvent)
	}
	e.CreatedAt = tx.now
	tx.events = append(tx.events, e)
	return nil
}

// writeEvents assigns the pending events their sequences and cursors and
// inserts them; Commit runs it last.
func (tx *Tx) writeEvents(ctx context.Context) error {
	if len(tx.events) == 0 {
		return nil
	}
	byObject := map[string][]*latchkey.Event{}
	for _, e := range tx.events {
		byObject[e.ObjectID] = append(byObject[e.ObjectID], e)
	}
	objects := make([]string, 0, len(byObject))
	for id := range byObject {
		objects = append(objects, id)
	}
	slices.Sort(objects) // one lock order for every transaction
	for _, id := range objects {
		evs := byObject[id]
		var last int64
		err := tx.queryRow(ctx, `INSERT INTO event_sequences (object_id, sequence) VALUES (?, ?)
			ON CONFLICT (object_id) DO UPDATE SET sequence = event_sequences.sequence + excluded.sequence
			RETURNING sequence`, id, len(evs)).Scan(&last)
		if err != nil {
			return fmt.Errorf("write events: sequence: %w", err)
		}
		for i, e := range evs {
			e.Sequence = last - int64(len(evs)-1-i)
		}
	}
	var last int64
	if err := tx.queryRow(ctx, `UPDATE event_cursor SET value = value + ? WHERE id = 1 RETURNING value`, len(tx.events)).Scan(&last); err != nil {
		return fmt.Errorf("write events: cursor: %w", err)
	}
	for i, e := range tx.events {
		e.Cursor = last - int64(len(tx.events)-1-i)
		_, err := tx.exec(ctx, `INSERT INTO events (id, ordinal, type, object_id, sequence, data, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Cursor, e.Type, e.ObjectID, e.Sequence, string(e.Data), ms(e.CreatedAt))
		if err != nil {
			return fmt.Errorf("write event: %w", err)
		}
	}
	n, err := tx.queueDeliveries(ctx, tx.events[0].Cursor, last)
	if err != nil {
		return err
	}
	tx.queued += n
	tx.events = nil
	return nil
}

// EventFilter selects a page of the event feed.
type EventFilter struct {
	After int64    // only events with a larger cursor
	Types []string // only these types; all when empty
	// ExcludeTypes leaves these types out, such as the secret-bearing ones
	// when the reader did not name them.
	ExcludeTypes []string
	Limit        int // at most this many (1 when less)
}

// Events returns committed events in commit order (by cursor), after
// f.After, of f.Types and not of f.ExcludeTypes, and whether more follow.
func (s *Store) Events(ctx context.Context, f EventFilter) ([]*latchkey.Event, bool, error) {
	limit := max(f.Limit, 1)
	q := `SELECT id, ordinal, type, object_id, sequence, data, created_at FROM events WHERE ordinal > ?`
	args := []any{f.After}
	if len(f.Types) > 0 {
		q += ` AND type IN (` + placeholders(len(f.Types)) + `)`
		for _, t := range f.Types {
			args = append(args, t)
		}
	}
	if len(f.ExcludeTypes) > 0 {
		q += ` AND type NOT IN (` + placeholders(len(f.ExcludeTypes)) + `)`
		for _, t := range f.ExcludeTypes {
			args = append(args, t)
		}
	}
	q += ` ORDER BY ordinal LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.Event
	for rows.Next() {
		var e latchkey.Event
		var data string
		var created int64
		if err := rows.Scan(&e.ID, &e.Cursor, &e.Type, &e.ObjectID, &e.Sequence, &data, &created); err != nil {
			return nil, false, fmt.Errorf("scan event: %w", err)
		}
		e.Data, e.CreatedAt = json.RawMessage(data), fromMS(created)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list events: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// DeleteEventsBefore deletes events created before t, at most limit of them
// (the oldest first), and returns how many it deleted. The cursor and the
// per-object sequences are kept, so they never go back.
func (s *Store) DeleteEventsBefore(ctx context.Context, t time.Time, limit int) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < ?
			ORDER BY ordinal LIMIT ?)`, ms(t), max(limit, 1))
		if err != nil {
			return fmt.Errorf("delete old events: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
