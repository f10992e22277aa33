package token

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/latchkeyhq/latchkey"
)

// ClaimsVersion is the "v" claim: the version of this claims layout.
const ClaimsVersion = 1

// SessionClaims are the claims of a session token.
type SessionClaims struct {
	Issuer          string
	UserID          string // sub
	SessionID       string // sid
	AuthorizedParty string // azp: the origin that asked for the token, if any
	IssuedAt        time.Time
	Lifetime        time.Duration
	// FirstFactorAge and SecondFactorAge are minutes since each factor was
	// verified (fva); SecondFactorAge is -1 without a second factor.
	FirstFactorAge  int
	SecondFactorAge int
	// Custom claims from the instance's template. They cannot override the
	// registered claims above.
	Custom map[string]any
}

// reserved are the claims custom templates may not set.
var reserved = map[string]bool{"iss": true, "sub": true, "sid": true, "azp": true, "iat": true, "nbf": true,
	"exp": true, "jti": true, "v": true, "fva": true, "o": true, "act": true}

// Reserved reports whether a custom claim name is reserved.
func Reserved(name string) bool { return reserved[name] }

// nbfLeeway backdates nbf so a verifier whose clock is slightly behind still
// accepts a fresh token.
const nbfLeeway = 5 * time.Second

// signers caches one go-jose signer per key.
type signers struct {
	mu  sync.Mutex
	kid string
	s   jose.Signer
}

// Sign mints a session token with the current key: ES256, with its kid.
func (k *Keyring) Sign(ctx context.Context, c SessionClaims) (string, time.Time, error) {
	priv, kid, err := k.Current(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	signer, err := k.signerFor(priv, kid)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := c.IssuedAt.Add(c.Lifetime)
	claims := make(map[string]any, len(c.Custom)+11)
	for name, v := range c.Custom {
		if !reserved[name] {
			claims[name] = v
		}
	}
	claims["iss"] = c.Issuer
	claims["sub"] = c.UserID
	claims["sid"] = c.SessionID
	if c.AuthorizedParty != "" {
		claims["azp"] = c.AuthorizedParty
	}
	claims["iat"] = c.IssuedAt.Unix()
	claims["nbf"] = c.IssuedAt.Add(-nbfLeeway).Unix()
	claims["exp"] = exp.Unix()
	claims["jti"] = latchkey.RandomString(20)
	claims["v"] = ClaimsVersion
	claims["fva"] = []int{c.FirstFactorAge, c.SecondFactorAge}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("encode claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("serialize token: %w", err)
	}
	return out, exp, nil
}

func (k *Keyring) signerFor(priv *ecdsa.PrivateKey, kid string) (jose.Signer, error) {
	k.signer.mu.Lock()
	defer k.signer.mu.Unlock()
	if k.signer.s != nil && k.signer.kid == kid {
		return k.signer.s, nil
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("new signer: %w", err)
	}
	k.signer.s, k.signer.kid = s, kid
	return s, nil
}
