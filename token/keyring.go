// Package token owns session-token signing keys: generating ES256 key pairs,
// keeping their private halves sealed with the master key, publishing the
// public halves as a JWKS, and rotating them without logging anyone out.
//
// A deployment always has a current key (signs) and a next key (published
// ahead of time, so verifiers that cached the JWKS already know it when it
// becomes current). Retired keys stay published for RetiredGrace so tokens
// they signed keep verifying until they expire.
package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/seal"
)

// RetiredGrace is how long a retired key stays in the JWKS. Session tokens
// live minutes at most; a day leaves room for long-lived custom tokens.
const RetiredGrace = 24 * time.Hour

// refreshEvery is how often a Keyring rereads keys, so a rotation made by
// another process (`latchkey keys rotate`) is picked up.
const refreshEvery = 30 * time.Second

// retryAfterFailure is how soon a failed refresh is retried.
const retryAfterFailure = 5 * time.Second

// KeyStore is the storage the keyring needs.
type KeyStore interface {
	SigningKeys(ctx context.Context, retiredSince time.Time) ([]*latchkey.SigningKey, error)
	InitSigningKeys(ctx context.Context, current, next *latchkey.SigningKey) error // latchkey.ErrSigningKeysExist if keys exist
	RotateSigningKeys(ctx context.Context, newNext *latchkey.SigningKey) error
}

// Keyring caches the published keys and the current private key.
type Keyring struct {
	store KeyStore
	box   *seal.Box
	now   func() time.Time

	mu       sync.RWMutex
	loadedAt time.Time
	jwks     []byte
	current  *ecdsa.PrivateKey
	kid      string

	signer signers
}

// NewKeyring returns a keyring over store, opening private keys with box.
func NewKeyring(store KeyStore, box *seal.Box) *Keyring {
	return &Keyring{store: store, box: box, now: time.Now}
}

// NewSigningKey generates an ES256 key pair with its private half sealed.
func NewSigningKey(box *seal.Box) (*latchkey.SigningKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	k := &latchkey.SigningKey{ID: latchkey.NewID(latchkey.PrefixSigningKey), Algorithm: "ES256", PublicKeyDER: pub}
	k.EncryptedPrivateKey = box.Seal(pkcs8, aad(k.ID))
	return k, nil
}

func aad(kid string) []byte { return []byte("signing_key:" + kid) }

// Init creates the first current and next keys if there are none, then loads.
func (k *Keyring) Init(ctx context.Context) error {
	cur, err := NewSigningKey(k.box)
	if err != nil {
		return err
	}
	next, err := NewSigningKey(k.box)
	if err != nil {
		return err
	}
	if err := k.store.InitSigningKeys(ctx, cur, next); err != nil && !errors.Is(err, latchkey.ErrSigningKeysExist) {
		return fmt.Errorf("create signing keys: %w", err)
	}
	return k.Reload(ctx)
}

// Rotate promotes the next key to current, creates a new next key and
// reloads. Tokens signed by the old key keep verifying.
func (k *Keyring) Rotate(ctx context.Context) error {
	// Open the current key first: with the wrong master key, a rotation would
	// store a next key no server can open, and it would sign after the
	// following rotation.
	if err := k.Reload(ctx); err != nil {
		return err
	}
	next, err := NewSigningKey(k.box)
	if err != nil {
		return err
	}
	if err := k.store.RotateSigningKeys(ctx, next); err != nil {
		return err
	}
	return k.Reload(ctx)
}

// Reload rereads the keys from the store.
func (k *Keyring) Reload(ctx context.Context) error {
	now := k.now()
	keys, err := k.store.SigningKeys(ctx, now.Add(-RetiredGrace))
	if err != nil {
		return err
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	var current *ecdsa.PrivateKey
	var kid string
	for _, sk := range keys {
		pub, err := x509.ParsePKIXPublicKey(sk.PublicKeyDER)
		if err != nil {
			return fmt.Errorf("signing key %s: parse public key: %w", sk.ID, err)
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: pub, KeyID: sk.ID, Algorithm: sk.Algorithm, Use: "sig"})
		if sk.State != latchkey.KeyStateCurrent {
			continue
		}
		der, err := k.box.Open(sk.EncryptedPrivateKey, aad(sk.ID))
		if err != nil {
			return fmt.Errorf("signing key %s: %w (is LATCHKEY_MASTER_KEY the key this database was created with?)", sk.ID, err)
		}
		priv, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return fmt.Errorf("signing key %s: parse private key: %w", sk.ID, err)
		}
		ec, ok := priv.(*ecdsa.PrivateKey)
		if !ok {
			return fmt.Errorf("signing key %s: not an ECDSA key", sk.ID)
		}
		current, kid = ec, sk.ID
	}
	if current == nil {
		return errors.New("no current signing key; run the server once to create one")
	}
	jwks, err := json.Marshal(set)
	if err != nil {
		return fmt.Errorf("encode jwks: %w", err)
	}
	k.mu.Lock()
	k.jwks, k.current, k.kid, k.loadedAt = jwks, current, kid, now
	k.mu.Unlock()
	return nil
}

// JWKS returns the JSON Web Key Set of the published keys, rereading the
// store when the cached copy is older than refreshEvery.
func (k *Keyring) JWKS(ctx context.Context) ([]byte, error) {
	if err := k.refresh(ctx); err != nil {
		return nil, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.jwks, nil
}

// Current returns the key that signs new tokens and its kid.
func (k *Keyring) Current(ctx context.Context) (*ecdsa.PrivateKey, string, error) {
	if err := k.refresh(ctx); err != nil {
		return nil, "", err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current, k.kid, nil
}

func (k *Keyring) refresh(ctx context.Context) error {
	k.mu.RLock()
	fresh := k.jwks != nil && k.now().Sub(k.loadedAt) < refreshEvery
	k.mu.RUnlock()
	if fresh {
		return nil
	}
	if err := k.Reload(ctx); err != nil {
		k.mu.RLock()
		stale := k.jwks != nil
		k.mu.RUnlock()
		if stale {
			// Keep serving the last good set and retry in a few seconds,
			// not on every call, while the store is failing.
			k.mu.Lock()
			k.loadedAt = k.now().Add(retryAfterFailure - refreshEvery)
			k.mu.Unlock()
			return nil
		}
		return err
	}
	return nil
}
