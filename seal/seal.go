// Package seal encrypts secrets at rest with the deployment's master key:
// signing keys' private halves today, provider client secrets later.
//
// A sealed value is version byte 1, a random 12-byte nonce, and the
// AES-256-GCM ciphertext with its tag. The additional data binds a sealed
// value to its purpose and owner (for example "signing_key:kid_..."), so a
// value copied into another row does not open.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the master key's size in bytes.
const KeySize = 32

const version = 1

// ErrOpen is returned when a sealed value does not open: a wrong master key,
// wrong additional data, or a corrupted value.
var ErrOpen = errors.New("seal: cannot decrypt (wrong master key or corrupted value)")

// Box seals and opens values with one master key.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for a 32-byte master key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: master key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// ParseKey decodes a master key written as standard or URL-safe base64
// (padded or not) of 32 random bytes, as printed by GenerateKey.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("the master key decodes to %d bytes; it must be %d random bytes in base64 (generate one with: openssl rand -base64 32)", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("the master key is not valid base64; generate one with: openssl rand -base64 32")
}

// GenerateKey returns a new random master key in base64.
func GenerateKey() string {
	b := make([]byte, KeySize)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// Seal encrypts plaintext bound to additionalData.
func (b *Box) Seal(plaintext, additionalData []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize())
	rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return b.aead.Seal(out, nonce, plaintext, additionalData)
}

// Open decrypts a value sealed with the same key and additional data.
func (b *Box) Open(sealed, additionalData []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	out, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], additionalData)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
