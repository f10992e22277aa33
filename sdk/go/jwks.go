package latchkey

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// keySource finds the public key for a token's kid. It returns "" as the
// reason when it found one.
type keySource interface {
	key(ctx context.Context, kid string) (*ecdsa.PublicKey, Reason)
}

// staticKey is a single key from PEM: networkless, and the kid is ignored.
type staticKey struct{ pub *ecdsa.PublicKey }

func (s staticKey) key(context.Context, string) (*ecdsa.PublicKey, Reason) { return s.pub, "" }

func parsePublicKeyPEM(s string) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New(`PublicKeyPEM is not a PEM "PUBLIC KEY" block`)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("PublicKeyPEM: %w", err)
	}
	ec, ok := k.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("PublicKeyPEM is not an ECDSA P-256 key (session tokens are ES256)")
	}
	return ec, nil
}

// Limits of the JWKS fetcher.
const (
	maxJWKSBytes = 1 << 20
	jwksTimeout  = 10 * time.Second
	// jwksMaxAge is how long a fetched set is used before it is refetched
	// on the next verification, so keys the server withdrew stop verifying.
	jwksMaxAge = time.Hour
	// jwksRetryAfterFailure is the cooldown after a failed fetch when it is
	// shorter than the configured one: an outage at start-up should not
	// leave every request signed out for long.
	jwksRetryAfterFailure = 5 * time.Second
)

// jwksKeys caches a JWKS and refetches it when a token names a kid it does
// not hold, at most once per cooldown. Reads on the hot path take no lock;
// concurrent misses share one fetch.
type jwksKeys struct {
	url      string
	client   *http.Client
	now      func() time.Time
	cooldown time.Duration
	log      *slog.Logger // nil: no logging

	set atomic.Pointer[keySet]

	mu          sync.Mutex
	lastAttempt time.Time     // start of the last fetch, successful or not
	lastErr     error         // outcome of the last fetch
	inflight    chan struct{} // closed when the running fetch ends; nil if none
}

type keySet struct {
	keys      map[string]*ecdsa.PublicKey
	fetchedAt time.Time
}

func (j *jwksKeys) key(ctx context.Context, kid string) (*ecdsa.PublicKey, Reason) {
	if kid == "" {
		// Every Latchkey key has a kid; refetching would not help.
		return nil, ReasonKidUnknown
	}
	if s := j.set.Load(); s != nil && j.now().Sub(s.fetchedAt) < jwksMaxAge {
		if k, ok := s.keys[kid]; ok {
			return k, ""
		}
	}
	for {
		j.mu.Lock()
		s := j.set.Load()
		now := j.now()
		var k *ecdsa.PublicKey
		if s != nil {
			k = s.keys[kid]
			if k != nil && now.Sub(s.fetchedAt) < jwksMaxAge {
				j.mu.Unlock()
				return k, ""
			}
		}
		if ch := j.inflight; ch != nil {
			j.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ReasonJWKSUnavailable
			}
		}
		wait := j.cooldown
		if j.lastErr != nil {
			wait = min(wait, jwksRetryAfterFailure)
		}
		if !j.lastAttempt.IsZero() && now.Sub(j.lastAttempt) < wait {
			// In the cooldown: answer from what we have. A stale set is
			// still used when refetching it failed.
			lastErr := j.lastErr
			j.mu.Unlock()
			switch {
			case k != nil:
				return k, ""
			case s == nil || lastErr != nil:
				return nil, ReasonJWKSUnavailable
			default:
				return nil, ReasonKidUnknown
			}
		}
		ch := make(chan struct{})
		j.inflight, j.lastAttempt = ch, now
		j.mu.Unlock()

		// The fetch outlives a canceled caller: others may be waiting on it.
		keys, err := j.fetch(context.WithoutCancel(ctx))
		if err != nil && j.log != nil {
			j.log.Warn("latchkey: jwks fetch failed", "url", j.url, "err", err)
		}
		j.mu.Lock()
		j.lastErr = err
		if err == nil {
			j.set.Store(&keySet{keys: keys, fetchedAt: now})
		}
		j.inflight = nil
		close(ch)
		j.mu.Unlock()
	}
}

func (j *jwksKeys) fetch(ctx context.Context) (map[string]*ecdsa.PublicKey, error) {
	ctx, cancel := context.WithTimeout(ctx, jwksTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := j.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read jwks: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("jwks larger than 1 MiB")
	}
	return parseJWKS(body)
}

// jwk is the part of a JSON Web Key the verifier reads.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS returns the set's ES256 signing keys by kid. Keys of other
// types, curves, algorithms or uses are skipped, as are malformed ones, so
// one odd key cannot take the others down; a set with none usable fails.
func parseJWKS(b []byte) (map[string]*ecdsa.PublicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, fmt.Errorf("decode jwks: %w", err)
	}
	keys := make(map[string]*ecdsa.PublicKey, len(set.Keys))
	for _, raw := range set.Keys {
		var k jwk
		if json.Unmarshal(raw, &k) != nil {
			continue
		}
		if k.Kty != "EC" || k.Crv != "P-256" || k.Kid == "" ||
			(k.Alg != "" && k.Alg != "ES256") || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			continue
		}
		x, errX := b64.DecodeString(k.X)
		y, errY := b64.DecodeString(k.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			continue
		}
		point := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			continue // not on the curve
		}
		keys[k.Kid] = pub
	}
	if len(keys) == 0 {
		return nil, errors.New("jwks has no ES256 P-256 signing key")
	}
	return keys, nil
}
