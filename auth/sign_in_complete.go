package auth

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// completion is what completing a sign-in did.
type completion struct {
	session   *latchkey.Session
	newDevice bool // the user has signed in before, never on this client
}

// completeInTx finishes si for user in tx: a session on the client of st
// (which startSession rotates), the sign-in complete, an audit event. si
// must have been read in tx (locked on PostgreSQL) and checked open. The
// client's sign_in_id is cleared when it points at si. auditData is added
// to the audit event.
func (s *SignIns) completeInTx(ctx context.Context, tx *sqlstore.Tx, st *ClientState, si *latchkey.SignIn, user *latchkey.User,
	strategy string, req RequestInfo, auditData map[string]any) (completion, error) {
	set := s.settings()
	now := tx.Now()
	c, err := tx.ClientByID(ctx, st.Client.ID)
	if err != nil {
		return completion{}, err
	}
	if c.Revoked() {
		return completion{}, latchkey.Errorf(latchkey.CodeSignedOut, "", "This browser was signed out for safety. Start again.")
	}
	st.Client = c
	here, n, err := tx.Sessions(ctx, sqlstore.SessionFilter{UserID: user.ID, ClientID: c.ID})
	if err != nil {
		return completion{}, err
	}
	var done completion
	if n == 0 {
		_, ever, err := tx.Sessions(ctx, sqlstore.SessionFilter{UserID: user.ID, Limit: 1})
		if err != nil {
			return completion{}, err
		}
		done.newDevice = ever > 0
	}
	if set.Session.MultiSession {
		for _, sess := range here {
			if sess.ActiveAt(now) {
				return completion{}, latchkey.Errorf(latchkey.CodeSessionExists, "", "This account is already signed in on this browser.")
			}
		}
	}
	if c.SignInID == si.ID {
		c.SignInID = ""
	}
	if done.session, err = s.sessions.startSession(ctx, tx, st, user, now, req); err != nil {
		return completion{}, err
	}
	si.Status, si.Strategy, si.FirstFactorAt, si.CreatedSessionID = latchkey.SignInComplete, strategy, now, done.session.ID
	if err := tx.UpdateSignIn(ctx, si); err != nil {
		return completion{}, err
	}
	data := map[string]any{"sign_in_id": si.ID, "strategy": strategy}
	for k, v := range auditData {
		data[k] = v
	}
	err = tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "sign_in.completed", UserID: user.ID, ClientID: c.ID,
		SessionID: done.session.ID, IP: req.IP, Data: data})
	return done, err
}

// afterComplete runs after the completing transaction committed: the
// new-device notice (ASVS 5.0 V6.3.7), when the instance sends it.
func (s *SignIns) afterComplete(ctx context.Context, user *latchkey.User, done completion, req RequestInfo) {
	if done.session == nil || !done.newDevice || !s.settings().SignIn.NotifyNewDevice {
		return
	}
	browser, os := describeDevice(req.UserAgent)
	data := map[string]string{"time": done.session.CreatedAt.UTC().Format(time.RFC3339)}
	for k, v := range map[string]string{"browser": browser, "os": os, "ip": req.IP, "city": req.City} {
		if v != "" {
			data[k] = v
		}
	}
	s.sendMail(ctx, MailNewDeviceSignIn, emailOf(user, ""), data)
}
