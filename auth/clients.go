package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// ReuseGrace is how long a rotated-away client credential stays valid, so
// requests already in flight when it rotated (other tabs) do not fail.
// Presenting it later means it was copied: the client is revoked.
const ReuseGrace = 10 * time.Second

// credentialLen is the random part of a client credential (about 256 bits).
const credentialLen = 43

// NewCredential returns a new client credential and its digest.
func NewCredential() (secret string, digest []byte) {
	secret = latchkey.RandomString(credentialLen)
	return secret, CredentialDigest(secret)
}

// CredentialDigest is how a client credential is stored and looked up.
func CredentialDigest(secret string) []byte {
	d := sha256.Sum256([]byte(secret))
	return d[:]
}

// ClientState is the client a request acts for, and the credential to send
// back when it changed (new client or rotation). Credential is empty when the
// caller's credential is still current.
type ClientState struct {
	Client     *latchkey.Client
	Credential string
	// Revoked is set when the request presented a stolen (reused)
	// credential: the client was revoked and its cookies must be cleared.
	Revoked bool
}

// ResolveClient finds the client of a credential. An empty, unknown or
// revoked credential gives a nil client (the caller starts a new one when it
// needs one). A credential rotated away more than ReuseGrace ago revokes the
// whole client and every session on it, and is audited (OWASP ASVS 5.0
// V7.2.4 / refresh-token reuse detection, RFC 9700 section 4.14.2).
func (s *Sessions) ResolveClient(ctx context.Context, credential string, req RequestInfo) (*ClientState, error) {
	if credential == "" || len(credential) > 128 {
		return &ClientState{}, nil
	}
	c, previous, err := s.store.ClientByDigest(ctx, CredentialDigest(credential))
	if errors.Is(err, latchkey.ErrNotFound) {
		return &ClientState{}, nil
	} else if err != nil {
		return nil, err
	}
	if c.Revoked() {
		return &ClientState{Revoked: true}, nil
	}
	if !previous || s.now().Sub(c.RotatedAt) <= ReuseGrace {
		return &ClientState{Client: c}, nil
	}
	err = s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
		cur, err := tx.ClientByID(ctx, c.ID)
		if err != nil {
			return err
		}
		ended, err := tx.EndSessionsOf(ctx, "", c.ID, "", latchkey.SessionRevoked)
		if err != nil {
			return err
		}
		cur.RevokedAt = s.now()
		if err := tx.UpdateClient(ctx, cur); err != nil {
			return err
		}
		return tx.AddAudit(ctx, &sqlstore.AuditEvent{Type: "client.credential_reused", ClientID: c.ID, IP: req.IP,
			Data: map[string]any{"revoked_sessions": ended, "user_agent": req.UserAgent}})
	})
	if err != nil {
		return nil, fmt.Errorf("revoke reused client: %w", err)
	}
	s.log.Warn("client credential reused after rotation; client revoked", "client_id", c.ID, "ip", req.IP)
	return &ClientState{Revoked: true}, nil
}

// ensureClient creates a client in tx when st has none.
func (s *Sessions) ensureClient(ctx context.Context, tx *sqlstore.Tx, st *ClientState) error {
	if st.Client != nil {
		return nil
	}
	secret, digest := NewCredential()
	c := &latchkey.Client{TokenDigest: digest}
	if err := tx.CreateClient(ctx, c); err != nil {
		return err
	}
	st.Client, st.Credential, st.Revoked = c, secret, false
	return nil
}

// rotate gives the client a new credential in tx, keeping the old one as
// the previous credential for the grace window.
func (s *Sessions) rotate(st *ClientState) {
	secret, digest := NewCredential()
	st.Client.PreviousDigest = st.Client.TokenDigest
	st.Client.TokenDigest = digest
	st.Client.RotatedAt = s.now()
	st.Credential = secret
}
