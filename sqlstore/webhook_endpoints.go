package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

// SecretOverlap is how long the previous signing secret keeps signing after
// a rotation, so receivers can switch without dropping a request.
const SecretOverlap = 24 * time.Hour

const webhookEndpointColumns = `id, url, description, all_types, headers_sealed, enabled, disabled_reason,
	disabled_at, failing_since, last_failed_at, created_at, updated_at`

// CreateWebhookEndpoint stores a new endpoint with its first signing secret
// (e.Secrets[0].Secret, required). It sets e's ID (when empty) and times.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, box *seal.Box, e *latchkey.WebhookEndpoint) error {
	if len(e.Secrets) != 1 || e.Secrets[0].Secret == "" {
		return errors.New("create webhook endpoint: exactly one secret is required")
	}
	if e.ID == "" {
		e.ID = latchkey.NewID(latchkey.PrefixWebhookEndpoint)
	}
	return s.withTx(ctx, func(tx *Tx) error {
		e.CreatedAt, e.UpdatedAt = tx.now, tx.now
		e.Secrets[0].CreatedAt = tx.now
		headers, err := sealHeaders(box, e)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO webhook_endpoints (`+webhookEndpointColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)`, e.ID, e.URL, e.Description, len(e.EventTypes) == 0,
			headers, e.Enabled, e.DisabledReason, nullMS(e.DisabledAt), ms(e.CreatedAt), ms(e.UpdatedAt))
		if err != nil {
			return fmt.Errorf("create webhook endpoint: %w", err)
		}
		if err := writeEndpointTypes(ctx, tx, e); err != nil {
			return err
		}
		if err := insertWebhookSecret(ctx, tx, box, e.ID, e.Secrets[0]); err != nil {
			return err
		}
		return tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.created", Data: map[string]any{"endpoint_id": e.ID, "url": auditURL(e.URL)}})
	})
}

// WebhookEndpoint returns one endpoint with its secrets, or
// latchkey.ErrNotFound.
func (s *Store) WebhookEndpoint(ctx context.Context, box *seal.Box, id string) (*latchkey.WebhookEndpoint, error) {
	es, err := readWebhookEndpoints(ctx, s.reader(), box, `WHERE id = ?`, ``, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, latchkey.ErrNotFound
	}
	return es[0], nil
}

// WebhookEndpoints returns every endpoint, oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, box *seal.Box) ([]*latchkey.WebhookEndpoint, error) {
	return readWebhookEndpoints(ctx, s.reader(), box, ``, ``)
}

// webhookEndpointsByID returns the endpoints with the given IDs, by ID.
func (s *Store) webhookEndpointsByID(ctx context.Context, box *seal.Box, ids []string) (map[string]*latchkey.WebhookEndpoint, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	es, err := readWebhookEndpoints(ctx, s.reader(), box, `WHERE id IN (`+placeholders(len(ids))+`)`, ``, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*latchkey.WebhookEndpoint, len(es))
	for _, e := range es {
		out[e.ID] = e
	}
	return out, nil
}

// UpdateWebhookEndpoint changes an endpoint under a row lock: change gets
// the current endpoint and edits it (URL, description, event types,
// headers). It returns latchkey.ErrNotFound for an unknown id.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, box *seal.Box, id string, change func(e *latchkey.WebhookEndpoint) error) (*latchkey.WebhookEndpoint, error) {
	var out *latchkey.WebhookEndpoint
	err := s.withTx(ctx, func(tx *Tx) error {
		e, err := lockWebhookEndpoint(ctx, tx, box, id)
		if err != nil {
			return err
		}
		if err := change(e); err != nil {
			return err
		}
		e.UpdatedAt = tx.now
		headers, err := sealHeaders(box, e)
		if err != nil {
			return err
		}
		_, err = tx.exec(ctx, `UPDATE webhook_endpoints SET url = ?, description = ?, all_types = ?, headers_sealed = ?,
			updated_at = ? WHERE id = ?`, e.URL, e.Description, len(e.EventTypes) == 0, headers, ms(e.UpdatedAt), e.ID)
		if err != nil {
			return fmt.Errorf("update webhook endpoint: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM webhook_endpoint_types WHERE endpoint_id = ?`, e.ID); err != nil {
			return fmt.Errorf("update webhook endpoint types: %w", err)
		}
		if err := writeEndpointTypes(ctx, tx, e); err != nil {
			return err
		}
		out = e
		return tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.updated", Data: map[string]any{"endpoint_id": e.ID, "url": auditURL(e.URL)}})
	})
	return out, err
}

// DisableWebhookEndpoint disables an endpoint at an operator's request:
// its queued deliveries wait, and new events are not queued for it. It
// returns the endpoint.
func (s *Store) DisableWebhookEndpoint(ctx context.Context, box *seal.Box, id string) (*latchkey.WebhookEndpoint, error) {
	var out *latchkey.WebhookEndpoint
	err := s.withTx(ctx, func(tx *Tx) error {
		e, err := lockWebhookEndpoint(ctx, tx, box, id)
		if err != nil {
			return err
		}
		out = e
		if !e.Enabled {
			return nil
		}
		e.Enabled, e.DisabledReason, e.DisabledAt, e.UpdatedAt = false, latchkey.WebhookDisabledManual, tx.now, tx.now
		if err := tx.setEndpointState(ctx, e); err != nil {
			return err
		}
		return tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.disabled", Data: map[string]any{
			"endpoint_id": e.ID, "url": auditURL(e.URL), "reason": latchkey.WebhookDisabledManual}})
	})
	return out, err
}

// Missed is what an endpoint missed while it was failing or disabled: the
// retained events of its types since Since. Replayed is how many
// deliveries were queued again, when asked.
type Missed struct {
	Since    time.Time
	Events   int64
	Replayed int64
}

// EnableWebhookEndpoint enables an endpoint: its waiting deliveries resume
// and its failure streak is cleared. If it was disabled or failing, it
// also counts what it missed since then and, with replayMissed, queues
// those events again; missed is nil otherwise. All in one transaction.
func (s *Store) EnableWebhookEndpoint(ctx context.Context, box *seal.Box, id string, replayMissed bool) (e *latchkey.WebhookEndpoint, missed *Missed, err error) {
	err = s.withTx(ctx, func(tx *Tx) error {
		var err error
		if e, err = lockWebhookEndpoint(ctx, tx, box, id); err != nil {
			return err
		}
		since := e.DisabledAt
		if !e.FailingSince.IsZero() && (since.IsZero() || e.FailingSince.Before(since)) {
			since = e.FailingSince
		}
		if !e.Enabled || !e.FailingSince.IsZero() {
			e.Enabled, e.DisabledReason, e.DisabledAt, e.FailingSince, e.UpdatedAt = true, "", time.Time{}, time.Time{}, tx.now
			if err := tx.setEndpointState(ctx, e); err != nil {
				return err
			}
			if err := tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.enabled", Data: map[string]any{
				"endpoint_id": e.ID, "url": auditURL(e.URL), "replay_missed": replayMissed}}); err != nil {
				return err
			}
		}
		if since.IsZero() {
			return nil
		}
		missed = &Missed{Since: since}
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM events e JOIN webhook_endpoints w ON w.id = ?
			WHERE e.created_at >= ? AND `+matchesEndpoint, id, ms(since)).Scan(&missed.Events); err != nil {
			return fmt.Errorf("count missed webhook events: %w", err)
		}
		if replayMissed {
			missed.Replayed, err = tx.requeue(ctx, id, `e.created_at >= ?`, ms(since))
		}
		return err
	})
	return e, missed, err
}

// setEndpointState writes an endpoint's enabled state and failure streak.
func (tx *Tx) setEndpointState(ctx context.Context, e *latchkey.WebhookEndpoint) error {
	_, err := tx.exec(ctx, `UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, disabled_at = ?,
		failing_since = ?, updated_at = ? WHERE id = ?`, e.Enabled, e.DisabledReason, nullMS(e.DisabledAt),
		nullMS(e.FailingSince), ms(e.UpdatedAt), e.ID)
	if err != nil {
		return fmt.Errorf("set webhook endpoint state: %w", err)
	}
	return nil
}

// RotateWebhookSecret makes secret the endpoint's current signing secret.
// Every older secret still active expires SecretOverlap from now at the
// latest, so for that long requests carry a signature for each.
func (s *Store) RotateWebhookSecret(ctx context.Context, box *seal.Box, id, secret string) (*latchkey.WebhookEndpoint, error) {
	var out *latchkey.WebhookEndpoint
	err := s.withTx(ctx, func(tx *Tx) error {
		e, err := lockWebhookEndpoint(ctx, tx, box, id)
		if err != nil {
			return err
		}
		expires := tx.now.Add(SecretOverlap)
		_, err = tx.exec(ctx, `UPDATE webhook_secrets SET expires_at = ? WHERE endpoint_id = ? AND (expires_at IS NULL OR expires_at > ?)`,
			ms(expires), id, ms(expires))
		if err != nil {
			return fmt.Errorf("rotate webhook secret: %w", err)
		}
		// Secrets expired for a while are of no use: drop them.
		if _, err := tx.exec(ctx, `DELETE FROM webhook_secrets WHERE endpoint_id = ? AND expires_at <= ?`, id, ms(tx.now)); err != nil {
			return fmt.Errorf("rotate webhook secret: %w", err)
		}
		if err := insertWebhookSecret(ctx, tx, box, id, latchkey.WebhookSecret{Secret: secret, CreatedAt: tx.now}); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE webhook_endpoints SET updated_at = ? WHERE id = ?`, ms(tx.now), id); err != nil {
			return fmt.Errorf("rotate webhook secret: %w", err)
		}
		if e.Secrets, err = webhookSecrets(ctx, tx.conn, box, id); err != nil {
			return err
		}
		e.UpdatedAt = tx.now
		out = e
		return tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.secret_rotated", Data: map[string]any{"endpoint_id": id}})
	})
	return out, err
}

// DeleteWebhookEndpoint deletes an endpoint, or returns
// latchkey.ErrNotFound. Its deliveries and attempts are no longer reachable
// (every read joins the endpoint) and the sweeper purges them in batches
// (PurgeDeletedWebhookEndpoints), so the delete stays short whatever the
// history.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return s.withTx(ctx, func(tx *Tx) error { return tx.deleteWebhookEndpoint(ctx, id) })
}

func (tx *Tx) deleteWebhookEndpoint(ctx context.Context, id string) error {
	res, err := tx.exec(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return latchkey.ErrNotFound
	}
	if _, err := tx.exec(ctx, `INSERT INTO webhook_purges (endpoint_id, deleted_at) VALUES (?, ?)`, id, ms(tx.now)); err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	return tx.AddAudit(ctx, &AuditEvent{Type: "webhook_endpoint.deleted", Data: map[string]any{"endpoint_id": id}})
}

// PurgeDeletedWebhookEndpoints deletes up to limit deliveries and limit
// attempts of deleted endpoints per endpoint, forgets the endpoints whose
// history is gone, and returns how many rows it deleted.
func (s *Store) PurgeDeletedWebhookEndpoints(ctx context.Context, limit int) (int64, error) {
	rows, err := s.reader().query(ctx, `SELECT endpoint_id FROM webhook_purges ORDER BY deleted_at`)
	if err != nil {
		return 0, fmt.Errorf("list webhook purges: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("list webhook purges: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("list webhook purges: %w", err)
	}
	var total int64
	for _, id := range ids {
		err := s.withTx(ctx, func(tx *Tx) error {
			res, err := tx.exec(ctx, `DELETE FROM webhook_deliveries WHERE endpoint_id = ? AND event_id IN (SELECT event_id
				FROM webhook_deliveries WHERE endpoint_id = ? LIMIT ?)`, id, id, max(limit, 1))
			if err != nil {
				return fmt.Errorf("purge webhook deliveries: %w", err)
			}
			d, _ := res.RowsAffected()
			res, err = tx.exec(ctx, `DELETE FROM webhook_attempts WHERE id IN (SELECT id FROM webhook_attempts
				WHERE endpoint_id = ? LIMIT ?)`, id, max(limit, 1))
			if err != nil {
				return fmt.Errorf("purge webhook attempts: %w", err)
			}
			a, _ := res.RowsAffected()
			total += d + a
			if d < int64(max(limit, 1)) && a < int64(max(limit, 1)) {
				if _, err := tx.exec(ctx, `DELETE FROM webhook_purges WHERE endpoint_id = ?`, id); err != nil {
					return fmt.Errorf("finish webhook purge: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// lockWebhookEndpoint reads an endpoint for a change. On PostgreSQL the row
// lock is FOR NO KEY UPDATE: it serializes changes to the endpoint without
// blocking transactions that only read it.
func lockWebhookEndpoint(ctx context.Context, tx *Tx, box *seal.Box, id string) (*latchkey.WebhookEndpoint, error) {
	lock := ""
	if tx.engine == postgres {
		lock = ` FOR NO KEY UPDATE`
	}
	es, err := readWebhookEndpoints(ctx, tx.conn, box, `WHERE id = ?`, lock, id)
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, latchkey.ErrNotFound
	}
	return es[0], nil
}

// readWebhookEndpoints reads the endpoints (with their types and secrets)
// matching where, oldest first; lock is "" or tx.forUpdate().
func readWebhookEndpoints(ctx context.Context, c conn, box *seal.Box, where, lock string, args ...any) ([]*latchkey.WebhookEndpoint, error) {
	q := `SELECT ` + webhookEndpointColumns + ` FROM webhook_endpoints ` + where + ` ORDER BY created_at, id` + lock
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	var out []*latchkey.WebhookEndpoint
	var sealed [][]byte
	for rows.Next() {
		var e latchkey.WebhookEndpoint
		var allTypes bool
		var headers []byte
		var disabledAt, failingSince, lastFailed sql.NullInt64
		var created, updated int64
		if err := rows.Scan(&e.ID, &e.URL, &e.Description, &allTypes, &headers, &e.Enabled, &e.DisabledReason,
			&disabledAt, &failingSince, &lastFailed, &created, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan webhook endpoint: %w", err)
		}
		e.DisabledAt, e.FailingSince, e.LastFailedAt = fromMS(disabledAt.Int64), fromMS(failingSince.Int64), fromMS(lastFailed.Int64)
		e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
		if allTypes {
			e.EventTypes = nil
		} else {
			e.EventTypes = []string{}
		}
		out = append(out, &e)
		sealed = append(sealed, headers)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	for i, e := range out {
		raw, err := openText(box, sealed[i], "webhook_endpoints", e.ID, "headers")
		if err != nil {
			return nil, err
		}
		e.Headers = map[string]string{}
		if raw != "" {
			if err := json.Unmarshal([]byte(raw), &e.Headers); err != nil {
				return nil, fmt.Errorf("webhook endpoint %s headers: %w", e.ID, err)
			}
		}
		if e.EventTypes != nil {
			if e.EventTypes, err = endpointTypes(ctx, c, e.ID); err != nil {
				return nil, err
			}
		}
		if e.Secrets, err = webhookSecrets(ctx, c, box, e.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func endpointTypes(ctx context.Context, c conn, id string) ([]string, error) {
	rows, err := c.query(ctx, `SELECT type FROM webhook_endpoint_types WHERE endpoint_id = ? ORDER BY type`, id)
	if err != nil {
		return nil, fmt.Errorf("webhook endpoint types: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("webhook endpoint types: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func writeEndpointTypes(ctx context.Context, tx *Tx, e *latchkey.WebhookEndpoint) error {
	types := slices.Clone(e.EventTypes)
	slices.Sort(types)
	types = slices.Compact(types)
	for _, t := range types {
		if _, err := tx.exec(ctx, `INSERT INTO webhook_endpoint_types (endpoint_id, type) VALUES (?, ?)`, e.ID, t); err != nil {
			return fmt.Errorf("webhook endpoint types: %w", err)
		}
	}
	if len(types) > 0 {
		e.EventTypes = types
	}
	return nil
}

// webhookSecrets returns an endpoint's secrets, newest first.
func webhookSecrets(ctx context.Context, c conn, box *seal.Box, endpointID string) ([]latchkey.WebhookSecret, error) {
	rows, err := c.query(ctx, `SELECT id, secret_sealed, created_at, expires_at FROM webhook_secrets
		WHERE endpoint_id = ? ORDER BY created_at DESC, id DESC`, endpointID)
	if err != nil {
		return nil, fmt.Errorf("webhook secrets: %w", err)
	}
	defer rows.Close()
	var out []latchkey.WebhookSecret
	for rows.Next() {
		var id string
		var sealed []byte
		var created int64
		var expires sql.NullInt64
		if err := rows.Scan(&id, &sealed, &created, &expires); err != nil {
			return nil, fmt.Errorf("webhook secrets: %w", err)
		}
		secret, err := openText(box, sealed, "webhook_secrets", id, "secret")
		if err != nil {
			return nil, err
		}
		out = append(out, latchkey.WebhookSecret{Secret: secret, CreatedAt: fromMS(created), ExpiresAt: fromMS(expires.Int64)})
	}
	return out, rows.Err()
}

func insertWebhookSecret(ctx context.Context, tx *Tx, box *seal.Box, endpointID string, s latchkey.WebhookSecret) error {
	id := latchkey.NewID("whsec")
	_, err := tx.exec(ctx, `INSERT INTO webhook_secrets (id, endpoint_id, secret_sealed, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		id, endpointID, sealText(box, s.Secret, "webhook_secrets", id, "secret"), ms(s.CreatedAt), nullMS(s.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store webhook secret: %w", err)
	}
	return nil
}

func sealHeaders(box *seal.Box, e *latchkey.WebhookEndpoint) ([]byte, error) {
	if len(e.Headers) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(e.Headers)
	if err != nil {
		return nil, fmt.Errorf("encode webhook headers: %w", err)
	}
	return sealText(box, string(raw), "webhook_endpoints", e.ID, "headers"), nil
}

// auditURL is an endpoint URL as the audit log keeps it: without query and
// fragment, which may carry a credential.
func auditURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	return u.String()
}

// nullMS is ms, with NULL for the zero time.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}
