package latchkey

import (
	"errors"
	"time"
)

// Environments. Development and production are two deployments, each with one
// instance.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Instance is the one instance this deployment serves.
type Instance struct {
	ID             string
	Environment    string
	PublishableKey string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// KeyPrefix returns "test" in development and "live" in production, the infix
// of publishable and secret keys.
func (i *Instance) KeyPrefix() string {
	if i.Environment == EnvProduction {
		return "live"
	}
	return "test"
}

// APIKey is a secret key for the Backend API. Only a SHA-256 digest of the
// secret is stored; the secret itself is shown once, when created.
type APIKey struct {
	ID         string
	Name       string
	Prefix     string // the first characters of the secret, for people to recognise it
	Digest     []byte // SHA-256 of the whole secret
	CreatedAt  time.Time
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// Revoked reports whether the key was revoked.
func (k *APIKey) Revoked() bool { return !k.RevokedAt.IsZero() }

// Signing key states. A deployment has one current key (signs tokens) and one
// next key (published ahead of rotation); retired keys stay published for a
// while so tokens they signed keep verifying.
const (
	KeyStateCurrent = "current"
	KeyStateNext    = "next"
	KeyStateRetired = "retired"
)

// SigningKey is a session-token signing key pair.
type SigningKey struct {
	ID                  string // the JWT "kid"
	Algorithm           string // "ES256"
	State               string
	PublicKeyDER        []byte // PKIX
	EncryptedPrivateKey []byte // PKCS#8 sealed with the master key
	CreatedAt           time.Time
	ActivatedAt         time.Time
	RetiredAt           time.Time
}

// ErrSigningKeysExist is returned when creating the first signing keys finds
// keys already there (another process created them first).
var ErrSigningKeysExist = errors.New("signing keys exist already")
