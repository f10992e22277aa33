package instance

import (
	"crypto/sha256"

	"github.com/latchkeyhq/latchkey"
)

// secretLen is the random part of a secret key: 40 base62 characters, about
// 238 bits, so a SHA-256 digest (without salt or stretching) is a safe way to
// store it: there is nothing to guess.
const secretLen = 40

// NewAPIKey returns a new secret key ("sk_test_..." or "sk_live_...") and the
// record to store. The secret is shown once and never stored.
func NewAPIKey(inst *latchkey.Instance, name string) (secret string, key *latchkey.APIKey) {
	secret = "sk_" + inst.KeyPrefix() + "_" + latchkey.RandomString(secretLen)
	return secret, &latchkey.APIKey{
		Name:   name,
		Prefix: secret[:len("sk_test_")+4],
		Digest: Digest(secret),
	}
}

// Digest returns the SHA-256 digest under which a secret key is stored.
func Digest(secret string) []byte {
	d := sha256.Sum256([]byte(secret))
	return d[:]
}
