package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// AuditEvent is one security-relevant event: sign-ins, sign-outs, lockouts,
// credential reuse, password changes.
type AuditEvent struct {
	ID        string
	Type      string
	UserID    string
	ClientID  string
	SessionID string
	IP        string
	Data      map[string]any
	CreatedAt time.Time
}

// AddAudit records an event in the transaction.
func (tx *Tx) AddAudit(ctx context.Context, e *AuditEvent) error {
	if e.ID == "" {
		e.ID = latchkey.NewID(latchkey.PrefixAudit)
	}
	e.CreatedAt = tx.now
	data := []byte("{}")
	if len(e.Data) > 0 {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return fmt.Errorf("encode audit data: %w", err)
		}
	}
	_, err := tx.exec(ctx, `INSERT INTO audit_events (id, type, user_id, client_id, session_id, ip, data, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.Type, e.UserID, e.ClientID, e.SessionID, e.IP, string(data), ms(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("add audit event: %w", err)
	}
	return nil
}

// AddAudit records an event on its own.
func (s *Store) AddAudit(ctx context.Context, e *AuditEvent) error {
	return s.withTx(ctx, func(tx *Tx) error { return tx.AddAudit(ctx, e) })
}

// AuditEvents returns the newest events, optionally of one user.
func (s *Store) AuditEvents(ctx context.Context, userID string, limit int) ([]*AuditEvent, error) {
	q, args := `SELECT id, type, user_id, client_id, session_id, ip, data, created_at FROM audit_events`, []any{}
	if userID != "" {
		q += ` WHERE user_id = ?`
		args = append(args, userID)
	}
	q += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d`, max(limit, 1))
	rows, err := s.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	defer rows.Close()
	var out []*AuditEvent
	for rows.Next() {
		var e AuditEvent
		var data string
		var created int64
		if err := rows.Scan(&e.ID, &e.Type, &e.UserID, &e.ClientID, &e.SessionID, &e.IP, &data, &created); err != nil {
			return nil, fmt.Errorf("scan audit event: %w", err)
		}
		json.Unmarshal([]byte(data), &e.Data)
		e.CreatedAt = fromMS(created)
		out = append(out, &e)
	}
	return out, rows.Err()
}
