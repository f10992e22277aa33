package sqlstore_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// userEventJSON is the part of a user event's data these tests check.
type userEventJSON struct {
	ID                      string `json:"id"`
	Locked                  bool   `json:"locked"`
	LockoutExpiresInSeconds *int64 `json:"lockout_expires_in_seconds"`
	LastSignInAt            *int64 `json:"last_sign_in_at"`
	ExternalAccounts        []struct {
		ID        string `json:"id"`
		UpdatedAt int64  `json:"updated_at"`
	} `json:"external_accounts"`
}

// lastEventOf returns the data of the object's newest event, decoded.
func lastEventOf(t *testing.T, s *sqlstore.Store, objectID string) (*latchkey.Event, userEventJSON) {
	t.Helper()
	var last *latchkey.Event
	for _, e := range allEvents(t, s) {
		if e.ObjectID == objectID {
			last = e
		}
	}
	if last == nil {
		t.Fatalf("no event of %s", objectID)
	}
	var u userEventJSON
	if err := json.Unmarshal(last.Data, &u); err != nil {
		t.Fatalf("event data %s: %v", last.Data, err)
	}
	return last, u
}

func resetFailedSignIns(t *testing.T, s *sqlstore.Store, userID string) {
	t.Helper()
	if err := s.InTx(t.Context(), func(tx *sqlstore.Tx) error { return tx.ResetFailedSignIns(t.Context(), userID) }); err != nil {
		t.Fatalf("ResetFailedSignIns: %v", err)
	}
}

// A sign-in's bookkeeping writes user.updated when it changes what the
// Backend API shows of the user (last_sign_in_at, an expired lockout lifted)
// and nothing when it changes only the hidden failed-attempt counter.
func TestSignInBookkeepingEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		c := setClock(s)
		u := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ada@example.com")}})

		// The first sign-in sets last_sign_in_at.
		resetFailedSignIns(t, s, u.ID)
		want := []string{"user.created#1", "user.updated#2"}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after the first sign-in: %v, want %v", got, want)
		}
		if _, d := lastEventOf(t, s, u.ID); d.LastSignInAt == nil || *d.LastSignInAt != base.UnixMilli() {
			t.Errorf("last_sign_in_at = %v, want %d", d.LastSignInAt, base.UnixMilli())
		}

		// A failure below the threshold and a reset in the same millisecond
		// change only the counter: no event.
		if n, locked, err := s.RecordFailedSignIn(ctx, u.ID, 5, base.Add(time.Hour)); err != nil || n != 1 || locked {
			t.Fatalf("RecordFailedSignIn = %d, %v, %v", n, locked, err)
		}
		resetFailedSignIns(t, s, u.ID)
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("a counter-only reset wrote an event: %v", got)
		}

		// Locking writes user.updated (locked, seconds left); a sign-in after
		// the lockout passed lifts it and says so.
		if _, locked, err := s.RecordFailedSignIn(ctx, u.ID, 1, c.Now().Add(time.Minute)); err != nil || !locked {
			t.Fatalf("RecordFailedSignIn = locked %v, %v", locked, err)
		}
		if _, d := lastEventOf(t, s, u.ID); !d.Locked || d.LockoutExpiresInSeconds == nil || *d.LockoutExpiresInSeconds != 60 {
			t.Errorf("lock event: locked %v, expires in %v, want true, 60", d.Locked, d.LockoutExpiresInSeconds)
		}
		later := c.Add(2 * time.Minute)
		resetFailedSignIns(t, s, u.ID)
		want = []string{"user.created#1", "user.updated#2", "user.updated#3", "user.updated#4"}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("after the lockout: %v, want %v", got, want)
		}
		if _, d := lastEventOf(t, s, u.ID); d.Locked || d.LockoutExpiresInSeconds != nil || d.LastSignInAt == nil || *d.LastSignInAt != later.UnixMilli() {
			t.Errorf("unlock event: locked %v, expires in %v, last sign-in %v", d.Locked, d.LockoutExpiresInSeconds, d.LastSignInAt)
		}

		// A user that does not exist: no error, no event.
		n := len(allEvents(t, s))
		resetFailedSignIns(t, s, "user_missing")
		if got := len(allEvents(t, s)); got != n {
			t.Errorf("a reset of a missing user wrote %d events", got-n)
		}
	})
}

// Deleting a user removes its sessions by cascade; each one that had not
// ended gets session.removed, before user.deleted, in the same transaction.
func TestDeleteUserRemovesSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		c := setClock(s)
		u := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ada@example.com")}})
		other := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("bob@example.com")}})
		var active, expired, ended, others string
		err := s.InTx(ctx, func(tx *sqlstore.Tx) error {
			cl := &latchkey.Client{TokenDigest: []byte("digest")}
			if err := tx.CreateClient(ctx, cl); err != nil {
				return err
			}
			for _, x := range []struct {
				id     *string
				user   string
				expire time.Time
			}{{&active, u.ID, base.Add(time.Hour)}, {&expired, u.ID, base.Add(time.Minute)}, {&ended, u.ID, base.Add(time.Hour)},
				{&others, other.ID, base.Add(time.Hour)}} {
				sess := &latchkey.Session{ClientID: cl.ID, UserID: x.user, Status: latchkey.SessionActive, ExpireAt: x.expire}
				if err := tx.CreateSession(ctx, sess); err != nil {
					return err
				}
				*x.id = sess.ID
			}
			_, err := tx.EndSession(ctx, ended, latchkey.SessionEnded)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Add(2 * time.Minute) // the second session expires, unnoticed
		before := allEvents(t, s)
		if err := s.DeleteUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		evs := allEvents(t, s)[len(before):]
		var got []string
		for _, e := range evs {
			got = append(got, e.Type+" "+e.ObjectID)
		}
		// EndSessionsOf takes no order; the two removals come in either.
		want1 := []string{"session.removed " + active, "session.removed " + expired, "user.deleted " + u.ID}
		want2 := []string{"session.removed " + expired, "session.removed " + active, "user.deleted " + u.ID}
		if fmt.Sprint(got) != fmt.Sprint(want1) && fmt.Sprint(got) != fmt.Sprint(want2) {
			t.Fatalf("deletion events = %v, want %v in some order, then the user", got, want1[:2])
		}
		for _, e := range evs[:2] {
			var sess struct {
				Status string
				UserID string `json:"user_id"`
			}
			if err := json.Unmarshal(e.Data, &sess); err != nil || sess.Status != latchkey.SessionRemoved || sess.UserID != u.ID {
				t.Errorf("session.removed data = %s", e.Data)
			}
			if e.Sequence != 2 {
				t.Errorf("session.removed of %s has sequence %d, want 2", e.ObjectID, e.Sequence)
			}
		}
		if fmt.Sprint(eventsOf(t, s, ended)) != "[session.created#1 session.ended#2]" {
			t.Errorf("the ended session: %v", eventsOf(t, s, ended))
		}
		if fmt.Sprint(eventsOf(t, s, others)) != "[session.created#1]" {
			t.Errorf("another user's session: %v", eventsOf(t, s, others))
		}
		if sess, err := s.SessionByID(ctx, others); err != nil || sess.Status != latchkey.SessionActive {
			t.Errorf("another user's session = %+v, %v", sess, err)
		}
	})
}

// A user created together with an external account and a first session in
// one transaction (a social sign-up) has one event, user.created, whose data
// is the user as committed; a later link is a user.updated as ever.
func TestCreateUserWithExternalAccountIsOneEvent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		setClock(s)
		box := newBox(t)
		u := &latchkey.User{Identifiers: []*latchkey.Identifier{email("ada@example.com")}}
		acct := &latchkey.ExternalAccount{ProviderID: "google", ProviderUserID: "g-1", EmailAddress: "ada@example.com",
			AccessToken: "secret-access-token"}
		err := s.InTx(ctx, func(tx *sqlstore.Tx) error {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			acct.UserID = u.ID
			if err := tx.CreateExternalAccount(ctx, box, acct); err != nil {
				return err
			}
			return tx.ResetFailedSignIns(ctx, u.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != "[user.created#1]" {
			t.Fatalf("social sign-up events = %v, want one user.created", got)
		}
		e, d := lastEventOf(t, s, u.ID)
		if len(d.ExternalAccounts) != 1 || d.ExternalAccounts[0].ID != acct.ID || d.LastSignInAt == nil {
			t.Errorf("user.created data lacks the account or the sign-in: %s", e.Data)
		}
		if strings.Contains(string(e.Data), "secret-access-token") {
			t.Error("user.created data holds the access token")
		}

		second := &latchkey.ExternalAccount{UserID: u.ID, ProviderID: "github", ProviderUserID: "gh-1"}
		if err := s.CreateExternalAccount(ctx, box, second); err != nil {
			t.Fatal(err)
		}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != "[user.created#1 user.updated#2]" {
			t.Errorf("after a later link: %v", got)
		}
	})
}

// New provider tokens are not in the Backend user, but the account's
// updated_at is: a refresh writes user.updated (without the tokens), and a
// write that leaves updated_at as it was writes nothing.
func TestUpdateExternalAccountTokensEvent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := t.Context()
		c := setClock(s)
		box := newBox(t)
		u := mustCreateUser(t, s, &latchkey.User{Identifiers: []*latchkey.Identifier{email("ada@example.com")}})
		acct := &latchkey.ExternalAccount{UserID: u.ID, ProviderID: "google", ProviderUserID: "g-1", AccessToken: "old"}
		if err := s.CreateExternalAccount(ctx, box, acct); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateExternalAccountTokens(ctx, box, acct.ID, "same-millisecond", "", time.Time{}, nil); err != nil {
			t.Fatal(err)
		}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != "[user.created#1 user.updated#2]" {
			t.Fatalf("a token write that changes nothing shown: %v", got)
		}
		later := c.Add(time.Hour)
		if err := s.UpdateExternalAccountTokens(ctx, box, acct.ID, "new-access-token", "new-refresh-token", later.Add(time.Hour), []string{"email"}); err != nil {
			t.Fatal(err)
		}
		if got := eventsOf(t, s, u.ID); fmt.Sprint(got) != "[user.created#1 user.updated#2 user.updated#3]" {
			t.Fatalf("after a refresh: %v", got)
		}
		e, d := lastEventOf(t, s, u.ID)
		if len(d.ExternalAccounts) != 1 || d.ExternalAccounts[0].UpdatedAt != later.UnixMilli() {
			t.Errorf("user.updated data = %s, want the account updated at %d", e.Data, later.UnixMilli())
		}
		for _, secret := range []string{"new-access-token", "new-refresh-token"} {
			if strings.Contains(string(e.Data), secret) {
				t.Errorf("user.updated data holds %s", secret)
			}
		}
		if err := s.UpdateExternalAccountTokens(ctx, box, "eac_missing", "x", "", time.Time{}, nil); err == nil {
			t.Error("UpdateExternalAccountTokens of a missing account succeeded")
		}
	})
}
