package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

// OAuthAttemptLifetime is how long a redirect to a provider can be answered.
const OAuthAttemptLifetime = 10 * time.Minute

// OAuthAttempt is one redirect to a provider awaiting its callback. It is
// found by the SHA-256 of the state parameter; the state itself is never
// stored, so a database read does not give anyone a usable state.
type OAuthAttempt struct {
	StateDigest  []byte // SHA-256 of the state (OAuthStateDigest)
	ProviderID   string
	ClientID     string // the browser client the state is bound to
	SignInID     string // set for a sign-in
	SignUpID     string // set for a sign-up
	UserID       string // set when a signed-in user connects a provider
	CodeVerifier string // PKCE verifier: stored sealed
	Nonce        string
	RedirectURL  string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       time.Time
}

// OAuthStateDigest returns the digest an attempt is stored under.
func OAuthStateDigest(state string) []byte {
	d := sha256.Sum256([]byte(state))
	return d[:]
}

const oauthAttemptColumns = `state_digest, provider_id, client_id, sign_in_id, sign_up_id, user_id,
	code_verifier_sealed, nonce, redirect_url, created_at, expires_at, used_at`

// CreateOAuthAttempt stores the attempt, expiring OAuthAttemptLifetime from
// now, its PKCE verifier sealed with box.
func (s *Store) CreateOAuthAttempt(ctx context.Context, box *seal.Box, a *OAuthAttempt) error {
	if len(a.StateDigest) != sha256.Size {
		return errors.New("create oauth attempt: the state digest must be a SHA-256")
	}
	return s.withTx(ctx, func(tx *Tx) error {
		a.CreatedAt, a.ExpiresAt, a.UsedAt = tx.now, tx.now.Add(OAuthAttemptLifetime), time.Time{}
		_, err := tx.exec(ctx, `INSERT INTO oauth_attempts (`+oauthAttemptColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
			a.StateDigest, a.ProviderID, a.ClientID, a.SignInID, a.SignUpID, a.UserID,
			box.Seal([]byte(a.CodeVerifier), attemptAD(a.StateDigest)), a.Nonce, a.RedirectURL,
			ms(a.CreatedAt), ms(a.ExpiresAt))
		if err != nil {
			return fmt.Errorf("create oauth attempt: %w", err)
		}
		return nil
	})
}

// ConsumeOAuthAttempt marks the attempt with this state digest used and
// returns it. It succeeds once: a second consume, an expired attempt or an
// unknown state is a *latchkey.Error with code oauth_state_invalid, and of
// concurrent consumes exactly one wins.
func (s *Store) ConsumeOAuthAttempt(ctx context.Context, box *seal.Box, stateDigest []byte) (*OAuthAttempt, error) {
	var out *OAuthAttempt
	err := s.withTx(ctx, func(tx *Tx) error {
		// One conditional statement decides the winner on both engines.
		res, err := tx.exec(ctx, `UPDATE oauth_attempts SET used_at = ?
			WHERE state_digest = ? AND used_at = 0 AND expires_at > ?`, ms(tx.now), stateDigest, ms(tx.now))
		if err != nil {
			return fmt.Errorf("consume oauth attempt: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("consume oauth attempt: %w", err)
		} else if n == 0 {
			return latchkey.Errorf(latchkey.CodeOAuthStateInvalid, "state",
				"The state is unknown, expired or was already used.")
		}
		out, err = scanOAuthAttempt(box, tx.queryRow(ctx, `SELECT `+oauthAttemptColumns+` FROM oauth_attempts WHERE state_digest = ?`, stateDigest))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteExpiredOAuthAttempts removes attempts that expired before now and
// returns how many.
func (s *Store) DeleteExpiredOAuthAttempts(ctx context.Context) (int64, error) {
	var n int64
	err := s.withTx(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `DELETE FROM oauth_attempts WHERE expires_at <= ?`, ms(tx.now))
		if err != nil {
			return fmt.Errorf("delete expired oauth attempts: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func attemptAD(stateDigest []byte) []byte {
	return sealedAD("oauth_attempts", hex.EncodeToString(stateDigest), "code_verifier")
}

func scanOAuthAttempt(box *seal.Box, row rowScanner) (*OAuthAttempt, error) {
	var a OAuthAttempt
	var verifier []byte
	var created, expires, used int64
	err := row.Scan(&a.StateDigest, &a.ProviderID, &a.ClientID, &a.SignInID, &a.SignUpID, &a.UserID,
		&verifier, &a.Nonce, &a.RedirectURL, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, latchkey.ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("scan oauth attempt: %w", err)
	}
	v, err := box.Open(verifier, attemptAD(a.StateDigest))
	if err != nil {
		return nil, fmt.Errorf("open oauth attempt code verifier: %w", err)
	}
	a.CodeVerifier = string(v)
	a.CreatedAt, a.ExpiresAt, a.UsedAt = fromMS(created), fromMS(expires), fromMS(used)
	return &a, nil
}
