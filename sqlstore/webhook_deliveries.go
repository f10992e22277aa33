package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

// Delivery states.
const (
	deliveryPending   = "pending"
	deliverySucceeded = "succeeded"
	deliveryFailed    = "failed" // every scheduled attempt failed; a replay revives it
)

// queueDeliveries queues the events with cursors first..last (those the
// transaction just wrote) for every enabled endpoint that wants their type,
// in the same transaction: the outbox and the queue commit or roll back
// together. It reports how many deliveries it queued.
func (tx *Tx) queueDeliveries(ctx context.Context, first, last int64) (int64, error) {
	now := ms(tx.now)
	res, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_ordinal, status, attempts,
			next_attempt_at, claimed_until, claim_token, created_at, updated_at)
		SELECT w.id, e.id, e.ordinal, 'pending', 0, ?, 0, '', ?, ? FROM events e JOIN webhook_endpoints w ON w.enabled
		WHERE e.ordinal BETWEEN ? AND ? AND `+matchesEndpoint, now, now, now, first, last)
	if err != nil {
		return 0, fmt.Errorf("queue webhook deliveries: %w", err)
	}
	return res.RowsAffected()
}

// Delivery is one event claimed for sending to one endpoint.
type Delivery struct {
	Endpoint *latchkey.WebhookEndpoint
	Event    *latchkey.Event
	// Attempt is the number of the attempt about to be made, from 1.
	Attempt int
	// ClaimToken identifies this claim: recording the result (or releasing
	// the claim) touches the delivery only if it is still this claim's, so
	// a replay made meanwhile is never overwritten.
	ClaimToken string
}

// ClaimBudget caps, per claim, how many deliveries of one endpoint may be
// claimed, so a slow endpoint cannot take every worker: Default for any
// endpoint, or the endpoint's own entry in PerEndpoint (its cap minus its
// requests in flight; 0 claims none of it).
type ClaimBudget struct {
	Default     int
	PerEndpoint map[string]int
}

// claimWindow bounds the due deliveries one claim looks at (oldest due
// first, endpoints without budget left out) to share out by endpoint, so a
// claim costs the same however long the backlog: four times the limit,
// at most claimWindow.
const claimWindow = 1024

// ClaimWebhookDeliveries claims up to limit due deliveries of enabled
// endpoints for lease, oldest due first within each endpoint's budget, and
// returns them with their event and endpoint. A claim only hides a
// delivery from other workers until the lease ends: a worker that dies
// mid-send leaves it to be claimed again (at-least-once). On PostgreSQL,
// FOR UPDATE SKIP LOCKED lets many processes claim at once without waiting
// for or double-claiming each other's rows. Deliveries whose event was
// swept are dropped.
func (s *Store) ClaimWebhookDeliveries(ctx context.Context, box *seal.Box, limit int, lease time.Duration, b ClaimBudget) ([]*Delivery, error) {
	type claim struct {
		endpointID, eventID string
		attempts            int
	}
	var claims []claim
	var events map[string]*latchkey.Event
	token := latchkey.RandomString(16)
	err := s.withTx(ctx, func(tx *Tx) error {
		now := ms(tx.now)
		// Candidates: the oldest due deliveries (a bounded window), ranked
		// within their endpoint; a candidate is in if its rank is within its
		// endpoint's budget.
		budgets, bargs, exhausted := budgetTable(b)
		args := []any{ms(tx.now.Add(lease)), token, now, now}
		skip := ""
		if len(exhausted) > 0 {
			skip = ` AND d.endpoint_id NOT IN (` + placeholders(len(exhausted)) + `)`
			for _, id := range exhausted {
				args = append(args, id)
			}
		}
		candidates := `SELECT c.endpoint_id, c.event_id FROM (
				SELECT x.endpoint_id, x.event_id, x.next_attempt_at, x.event_ordinal,
					ROW_NUMBER() OVER (PARTITION BY x.endpoint_id ORDER BY x.next_attempt_at, x.event_ordinal) AS rn
				FROM (SELECT d.endpoint_id, d.event_id, d.next_attempt_at, d.event_ordinal FROM webhook_deliveries d
					JOIN webhook_endpoints w ON w.id = d.endpoint_id
					WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND d.claimed_until <= ? AND w.enabled` + skip + `
					ORDER BY d.next_attempt_at, d.event_ordinal LIMIT ?) x
			) c` + budgets + `
			WHERE c.rn <= ` + budgetExpr(budgets) + `
			ORDER BY c.next_attempt_at, c.event_ordinal LIMIT ?`
		args = append(args, min(claimWindow, 4*max(limit, 1)+16))
		args = append(args, bargs...)
		args = append(args, b.Default, max(limit, 1))
		target := candidates
		if tx.engine == postgres {
			// Lock what is still claimable, skipping rows another process
			// is claiming right now (window functions and FOR UPDATE do not
			// mix, hence the second level).
			target = `SELECT d.endpoint_id, d.event_id FROM webhook_deliveries d
				WHERE (d.endpoint_id, d.event_id) IN (` + candidates + `) AND d.claimed_until <= ?
				FOR UPDATE OF d SKIP LOCKED`
			args = append(args, now)
		}
		rows, err := tx.query(ctx, `UPDATE webhook_deliveries SET claimed_until = ?, claim_token = ?
			WHERE (endpoint_id, event_id) IN (`+target+`)
			RETURNING endpoint_id, event_id, attempts`, args...)
		if err != nil {
			return fmt.Errorf("claim webhook deliveries: %w", err)
		}
		claims = claims[:0]
		for rows.Next() {
			var c claim
			if err := rows.Scan(&c.endpointID, &c.eventID, &c.attempts); err != nil {
				rows.Close()
				return fmt.Errorf("claim webhook deliveries: %w", err)
			}
			claims = append(claims, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim webhook deliveries: %w", err)
		}
		if len(claims) == 0 {
			return nil
		}
		ids := make([]any, 0, len(claims))
		for _, c := range claims {
			ids = append(ids, c.eventID)
		}
		if events, err = eventsByID(ctx, tx.conn, ids); err != nil {
			return err
		}
		for _, c := range claims {
			if events[c.eventID] == nil {
				if _, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = ? AND event_id = ?`, c.endpointID, c.eventID); err != nil {
					return fmt.Errorf("drop webhook delivery of a swept event: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil || len(claims) == 0 {
		return nil, err
	}
	var endpointIDs []string
	seen := map[string]bool{}
	for _, c := range claims {
		if !seen[c.endpointID] {
			seen[c.endpointID] = true
			endpointIDs = append(endpointIDs, c.endpointID)
		}
	}
	endpoints, err := s.webhookEndpointsByID(ctx, box, endpointIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*Delivery, 0, len(claims))
	for _, c := range claims {
		ev, ep := events[c.eventID], endpoints[c.endpointID]
		if ev == nil || ep == nil {
			continue // swept event, or the endpoint was deleted meanwhile
		}
		out = append(out, &Delivery{Endpoint: ep, Event: ev, Attempt: c.attempts + 1, ClaimToken: token})
	}
	return out, nil
}

// budgetTable returns a LEFT JOIN of the per-endpoint budgets (as a UNION
// ALL of literal rows, which both engines accept) and its arguments, or
// nothing when there are none.
// The endpoints with no budget left are returned apart, to be left out
// before the window is taken.
func budgetTable(b ClaimBudget) (table string, args []any, exhausted []string) {
	var parts []string
	for _, id := range slices.Sorted(maps.Keys(b.PerEndpoint)) {
		n := b.PerEndpoint[id]
		switch {
		case n <= 0:
			exhausted = append(exhausted, id)
		case n < b.Default:
			parts = append(parts, `SELECT CAST(? AS TEXT) AS endpoint_id, CAST(? AS INTEGER) AS budget`)
			args = append(args, id, n)
		}
	}
	if len(parts) == 0 {
		return "", nil, exhausted
	}
	return ` LEFT JOIN (` + strings.Join(parts, ` UNION ALL `) + `) bud ON bud.endpoint_id = c.endpoint_id`, args, exhausted
}

// budgetExpr is the rank limit of a candidate: its endpoint's budget, or
// the default (the next argument).
func budgetExpr(table string) string {
	if table == "" {
		return `?`
	}
	return `COALESCE(bud.budget, CAST(? AS INTEGER))`
}

func eventsByID(ctx context.Context, c conn, ids []any) (map[string]*latchkey.Event, error) {
	rows, err := c.query(ctx, `SELECT id, ordinal, type, object_id, sequence, data, created_at FROM events
		WHERE id IN (`+placeholders(len(ids))+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	out := make(map[string]*latchkey.Event, len(ids))
	for rows.Next() {
		var e latchkey.Event
		var data string
		var created int64
		if err := rows.Scan(&e.ID, &e.Cursor, &e.Type, &e.ObjectID, &e.Sequence, &data, &created); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		e.Data, e.CreatedAt = []byte(data), fromMS(created)
		out[e.ID] = &e
	}
	return out, rows.Err()
}

// WebhookResult is the outcome of one delivery attempt, to record.
type WebhookResult struct {
	Attempt *latchkey.WebhookAttempt
	// ClaimToken is the claim the attempt was made under.
	ClaimToken string
	// NextAttemptAt is when to try again after a failure; zero gives up
	// (the delivery becomes failed, until a replay).
	NextAttemptAt time.Time
}

// HealthPolicy says when a failing endpoint is disabled.
type HealthPolicy struct {
	// DisableAfter: an endpoint whose failure streak is at least this old
	// when another attempt fails is disabled.
	DisableAfter time.Duration
	// StreakGap: a failure more than this long after the previous one
	// starts a new streak. Without traffic an endpoint is not failing, so
	// a quiet week does not count towards DisableAfter.
	StreakGap time.Duration
}

// DisabledEndpoint is an endpoint RecordWebhookAttempts disabled.
type DisabledEndpoint struct {
	ID           string
	URL          string
	FailingSince time.Time
	LastError    string
}

// RecordWebhookAttempts records attempts in one transaction and moves
// their deliveries on: succeeded, scheduled again, or failed. A delivery
// replayed while its attempt was in flight (its claim token changed) keeps
// the replay: the attempt is recorded and the claim released so the replay
// goes at once. Then each endpoint's failure streak is updated, endpoints
// in ID order (one lock order for every process): a success ends the
// streak, the first failure after it (or after a gap longer than
// p.StreakGap) starts one, and an endpoint whose streak is p.DisableAfter
// old at a failure is disabled, audited, and returned so the caller can
// tell the operators. results are in the order the attempts finished.
func (s *Store) RecordWebhookAttempts(ctx context.Context, results []WebhookResult, p HealthPolicy) ([]DisabledEndpoint, error) {
	var disabled []DisabledEndpoint
	err := s.withTx(ctx, func(tx *Tx) error {
		disabled = disabled[:0]
		health := map[string]*endpointHealth{}
		for _, r := range results {
			a := r.Attempt
			ok, err := insertWebhookAttempt(ctx, tx, a)
			if err != nil {
				return err
			}
			if !ok {
				continue // the endpoint was deleted meanwhile
			}
			if err := tx.recordDelivery(ctx, r); err != nil {
				return err
			}
			h := health[a.EndpointID]
			if h == nil {
				h = &endpointHealth{}
				health[a.EndpointID] = h
			}
			h.add(a, p.StreakGap)
		}
		ids := slices.Sorted(maps.Keys(health))
		for _, id := range ids {
			d, err := tx.updateHealth(ctx, id, health[id], p)
			if err != nil {
				return err
			}
			if d != nil {
				disabled = append(disabled, *d)
			}
		}
		return nil
	})
	return disabled, err
}

// recordDelivery moves a delivery on after an attempt made under
// r.ClaimToken.
func (tx *Tx) recordDelivery(ctx context.Context, r WebhookResult) error {
	a := r.Attempt
	status, next := deliverySucceeded, int64(0)
	switch {
	case a.Succeeded:
	case r.NextAttemptAt.IsZero():
		status = deliveryFailed
	default:
		status, next = deliveryPending, ms(r.NextAttemptAt)
	}
	res, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, claimed_until = 0,
		updated_at = ? WHERE endpoint_id = ? AND event_id = ? AND claim_token = ?`,
		status, a.Attempt, next, ms(tx.now), a.EndpointID, a.EventID, r.ClaimToken)
	if err != nil {
		return fmt.Errorf("record webhook delivery: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Replayed meanwhile (the replay cleared the token): let it go now.
		if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET claimed_until = 0
			WHERE endpoint_id = ? AND event_id = ? AND claim_token = ''`, a.EndpointID, a.EventID); err != nil {
			return fmt.Errorf("release replayed webhook delivery: %w", err)
		}
	}
	return nil
}

// endpointHealth sums up one endpoint's attempts of a batch, in order.
type endpointHealth struct {
	succeeded bool      // some attempt succeeded
	streak    time.Time // first failure of the streak running at the end of the batch, if any
	restarted bool      // that streak began in this batch: after a success or a gap
	last      time.Time // last failure of that streak
	lastError string
}

func (h *endpointHealth) add(a *latchkey.WebhookAttempt, gap time.Duration) {
	if a.Succeeded {
		h.succeeded, h.streak, h.restarted, h.last = true, time.Time{}, false, time.Time{}
		return
	}
	switch {
	case h.streak.IsZero() && h.succeeded:
		h.streak, h.restarted = a.CreatedAt, true
	case h.streak.IsZero():
		h.streak = a.CreatedAt // continues the stored streak, if recent
	case a.CreatedAt.Sub(h.last) > gap:
		h.streak, h.restarted = a.CreatedAt, true
	}
	h.last, h.lastError = a.CreatedAt, a.Error
}

// updateHealth writes one endpoint's streak after a batch and disables it
// if the streak is old enough.
func (tx *Tx) updateHealth(ctx context.Context, id string, h *endpointHealth, p HealthPolicy) (*DisabledEndpoint, error) {
	if h.streak.IsZero() {
		if _, err := tx.exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, id); err != nil {
			return nil, fmt.Errorf("record webhook endpoint health: %w", err)
		}
		return nil, nil
	}
	start, last := ms(h.streak), ms(h.last)
	var err error
	if h.restarted {
		_, err = tx.exec(ctx, `UPDATE webhook_endpoints SET failing_since = ?, last_failed_at = ? WHERE id = ?`, start, last, id)
	} else {
		// Continue the stored streak, unless it ended (a success) or went
		// quiet for longer than the gap before this batch's first failure.
		_, err = tx.exec(ctx, `UPDATE webhook_endpoints SET
			failing_since = CASE WHEN failing_since IS NULL OR last_failed_at IS NULL OR last_failed_at < ? THEN ? ELSE failing_since END,
			last_failed_at = ? WHERE id = ?`, start-p.StreakGap.Milliseconds(), start, last, id)
	}
	if err != nil {
		return nil, fmt.Errorf("record webhook endpoint health: %w", err)
	}
	var d DisabledEndpoint
	var since int64
	err = tx.queryRow(ctx, `UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, disabled_at = ?, updated_at = ?
		WHERE id = ? AND enabled AND failing_since <= ? RETURNING id, url, failing_since`,
		false, latchkey.WebhookDisabledFailing, last, ms(tx.now), id, last-p.DisableAfter.Milliseconds()).Scan(&d.ID, &d.URL, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("disable failing webhook endpoint: %w", err)
	}
	d.FailingSince, d.LastError = fromMS(since), h.lastError
	err = tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.disabled", Data: map[string]any{
		"endpoint_id": d.ID, "url": auditURL(d.URL), "reason": latchkey.WebhookDisabledFailing,
		"failing_since": ms(d.FailingSince), "last_error": h.lastError,
	}})
	return &d, err
}

// AddWebhookAttempt records an attempt that belongs to no delivery: a test
// event.
func (s *Store) AddWebhookAttempt(ctx context.Context, a *latchkey.WebhookAttempt) error {
	return s.withTx(ctx, func(tx *Tx) error {
		_, err := insertWebhookAttempt(ctx, tx, a)
		return err
	})
}

// insertWebhookAttempt records a, and reports false (recording nothing)
// when its endpoint no longer exists.
func insertWebhookAttempt(ctx context.Context, tx *Tx, a *latchkey.WebhookAttempt) (bool, error) {
	if a.ID == "" {
		a.ID = latchkey.NewID(latchkey.PrefixWebhookAttempt)
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.now
	}
	// The endpoint may have been deleted while the request was in flight:
	// then there is nothing to record, and the batch must not fail.
	res, err := tx.exec(ctx, `INSERT INTO webhook_attempts (id, endpoint_id, event_id, event_type, attempt, status_code,
		latency_ms, response, error, succeeded, test, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM webhook_endpoints WHERE id = ?)`,
		a.ID, a.EndpointID, a.EventID, a.EventType, a.Attempt, a.StatusCode, a.Latency.Milliseconds(), a.Response, a.Error,
		a.Succeeded, a.Test, ms(a.CreatedAt), a.EndpointID)
	if err != nil {
		return false, fmt.Errorf("record webhook attempt: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// AttemptFilter selects a page of an endpoint's attempts, newest first.
type AttemptFilter struct {
	EndpointID string
	EventID    string // only this event's attempts, when set
	Status     string // "succeeded", "failed", or "" for both
	Limit      int
	Offset     int
}

// WebhookAttempts returns a page of attempts and whether more follow.
func (s *Store) WebhookAttempts(ctx context.Context, f AttemptFilter) ([]*latchkey.WebhookAttempt, bool, error) {
	q := `SELECT id, endpoint_id, event_id, event_type, attempt, status_code, latency_ms, response, error, succeeded, test,
		created_at FROM webhook_attempts WHERE endpoint_id = ?`
	args := []any{f.EndpointID}
	if f.EventID != "" {
		q += ` AND event_id = ?`
		args = append(args, f.EventID)
	}
	switch f.Status {
	case deliverySucceeded:
		q += ` AND succeeded`
	case deliveryFailed:
		q += ` AND NOT succeeded`
	}
	limit := max(f.Limit, 1)
	q += ` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
	args = append(args, limit+1, max(f.Offset, 0))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, false, fmt.Errorf("list webhook attempts: %w", err)
	}
	defer rows.Close()
	var out []*latchkey.WebhookAttempt
	for rows.Next() {
		var a latchkey.WebhookAttempt
		var latency, created int64
		if err := rows.Scan(&a.ID, &a.EndpointID, &a.EventID, &a.EventType, &a.Attempt, &a.StatusCode, &latency,
			&a.Response, &a.Error, &a.Succeeded, &a.Test, &created); err != nil {
			return nil, false, fmt.Errorf("list webhook attempts: %w", err)
		}
		a.Latency, a.CreatedAt = time.Duration(latency)*time.Millisecond, fromMS(created)
		out = append(out, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("list webhook attempts: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// matchesEndpoint is the SQL condition "event e is of a type endpoint w
// wants" (latchkey.WebhookEndpoint.Wants): every type but the
// secret-bearing ones when the endpoint lists none, else the listed ones.
var matchesEndpoint = `((w.all_types AND e.type NOT IN ('` + strings.Join(latchkey.SecretBearingEventTypes, `', '`) + `'))
	OR EXISTS (SELECT 1 FROM webhook_endpoint_types t WHERE t.endpoint_id = w.id AND t.type = e.type))`

// ReplayWebhookEvent queues one retained event for an endpoint again,
// whatever became of it before (its attempts start again at 1). It returns
// latchkey.ErrNotFound when the endpoint or the event does not exist (the
// event may have been swept).
func (s *Store) ReplayWebhookEvent(ctx context.Context, endpointID, eventID string) error {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.requeue(ctx, endpointID, `e.id = ?`, eventID)
		return err
	})
	if err == nil && n == 0 {
		return latchkey.ErrNotFound
	}
	return err
}

// ReplayWebhooksSince queues every retained event created at or after
// since that the endpoint wants, sent before or not, and returns how many.
func (s *Store) ReplayWebhooksSince(ctx context.Context, endpointID string, since time.Time) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.requeue(ctx, endpointID, `e.created_at >= ?`, ms(since))
		return err
	})
	return n, err
}

// requeue inserts or resets to pending, due now, the endpoint's deliveries
// of the events matching cond (which the endpoint wants). A delivery in
// flight keeps its lease but loses its claim token: its result is recorded
// without undoing the replay, which goes as soon as that attempt ends (or
// its lease does), never alongside it.
func (tx *Tx) requeue(ctx context.Context, endpointID, cond string, arg any) (int64, error) {
	now := ms(tx.now)
	res, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_ordinal, status, attempts,
			next_attempt_at, claimed_until, claim_token, created_at, updated_at)
		SELECT w.id, e.id, e.ordinal, 'pending', 0, ?, 0, '', ?, ? FROM events e JOIN webhook_endpoints w ON w.id = ?
		WHERE `+cond+` AND `+matchesEndpoint+`
		ON CONFLICT (endpoint_id, event_id) DO UPDATE SET status = 'pending', attempts = 0,
			next_attempt_at = excluded.next_attempt_at, claim_token = '', updated_at = excluded.updated_at`,
		now, now, now, endpointID, arg)
	if err != nil {
		return 0, fmt.Errorf("replay webhooks: %w", err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		tx.queued += n
	}
	return n, nil
}

// ReplayFailedWebhooks queues again the endpoint's failed deliveries (every
// scheduled attempt failed) of events created at or after since, and
// returns how many.
func (s *Store) ReplayFailedWebhooks(ctx context.Context, endpointID string, since time.Time) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?,
			claim_token = '', updated_at = ? WHERE endpoint_id = ? AND status = 'failed' AND created_at >= ?`,
			ms(tx.now), ms(tx.now), endpointID, ms(since))
		if err != nil {
			return fmt.Errorf("replay failed webhooks: %w", err)
		}
		n, _ = res.RowsAffected()
		tx.queued += n
		return nil
	})
	return n, err
}

// WebhookDeliveryCounts returns how many of the endpoint's deliveries are
// in each state.
func (s *Store) WebhookDeliveryCounts(ctx context.Context, endpointID string) (map[string]int64, error) {
	rows, err := s.reader().query(ctx, `SELECT status, COUNT(*) FROM webhook_deliveries WHERE endpoint_id = ? GROUP BY status`, endpointID)
	if err != nil {
		return nil, fmt.Errorf("count webhook deliveries: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{deliveryPending: 0, deliverySucceeded: 0, deliveryFailed: 0}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count webhook deliveries: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// DeleteWebhookHistoryBefore deletes, at most limit rows of each per call,
// the attempts made before t and the finished deliveries created before t
// (the events they point at are swept on the same schedule). It returns how
// many rows it deleted.
func (s *Store) DeleteWebhookHistoryBefore(ctx context.Context, t time.Time, limit int) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts
			WHERE created_at < ? ORDER BY created_at LIMIT ?)`, ms(t), max(limit, 1))
		if err != nil {
			return fmt.Errorf("delete old webhook attempts: %w", err)
		}
		a, _ := res.RowsAffected()
		res, err = tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE (endpoint_id, event_id) IN (SELECT endpoint_id, event_id
			FROM webhook_deliveries WHERE created_at < ? AND status <> 'pending' ORDER BY created_at LIMIT ?)`, ms(t), max(limit, 1))
		if err != nil {
			return fmt.Errorf("delete old webhook deliveries: %w", err)
		}
		d, _ := res.RowsAffected()
		n = a + d
		return nil
	})
	return n, err
}
