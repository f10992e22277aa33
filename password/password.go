// Package password hashes and verifies passwords.
//
// New hashes are argon2id in the PHC string format
// ($argon2id$v=19$m=47104,t=1,p=1$salt$hash), so the parameters travel with
// each hash and NeedsRehash can tell when settings have moved on. Imported
// bcrypt digests ($2a$, $2b$, $2y$) verify too, and are replaced by argon2id
// on the next successful sign-in.
//
// All hashing runs through a Pool that bounds how many hashes run at once
// (one per CPU) and how many wait, so a flood of sign-ups cannot exhaust
// memory: argon2id with 46 MiB per hash would otherwise take 46 MiB per
// concurrent request.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Params are argon2id cost parameters.
type Params struct {
	MemoryKiB   uint32
	Iterations  uint32
	Parallelism uint8
}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrMalformed is returned for a stored hash this package cannot parse.
var ErrMalformed = errors.New("password: malformed hash")

var b64 = base64.RawStdEncoding

// hash returns the PHC string of password under p. It is slow on purpose;
// call it through a Pool.
func hash(password string, p Params) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Iterations,
		p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verify reports whether password matches the stored hash (argon2id PHC or
// bcrypt). The comparison is constant-time.
func verify(password, stored string) (bool, error) {
	switch {
	case strings.HasPrefix(stored, "$argon2id$"):
		ph, err := parseArgon2id(stored)
		if err != nil {
			return false, err
		}
		key := argon2.IDKey([]byte(password), ph.salt, ph.Iterations, ph.MemoryKiB, ph.Parallelism, uint32(len(ph.key)))
		return subtle.ConstantTimeCompare(key, ph.key) == 1, nil
	case IsBcrypt(stored):
		if err := checkBcrypt(stored); err != nil {
			return false, err
		}
		err := bcrypt.CompareHashAndPassword([]byte(stored), []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		return true, nil
	default:
		return false, ErrMalformed
	}
}

// NeedsRehash reports whether stored should be replaced by a hash under p:
// it is not argon2id, or any of its parameters differ from p.
func NeedsRehash(stored string, p Params) bool {
	ph, err := parseArgon2id(stored)
	if err != nil {
		return true
	}
	return ph.Params != p || len(ph.key) != keyLen
}

// IsBcrypt reports whether s looks like a bcrypt digest.
func IsBcrypt(s string) bool {
	return strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$")
}

// ValidateDigest checks that an imported digest for hasher can be verified
// later. Supported hashers: "argon2id" (PHC string) and "bcrypt".
func ValidateDigest(hasher, digest string) error {
	switch hasher {
	case "argon2id":
		_, err := parseArgon2id(digest)
		return err
	case "bcrypt":
		if !IsBcrypt(digest) {
			return fmt.Errorf("%w: bcrypt digests start with $2a$, $2b$ or $2y$", ErrMalformed)
		}
		return checkBcrypt(digest)
	default:
		return fmt.Errorf("password: unsupported hasher %q", hasher)
	}
}

// maxBcryptCost bounds the work a hostile imported bcrypt digest can cause,
// as parseArgon2id's bounds do for argon2id: each step doubles the work, and
// cost 31 would hold a hashing slot for days per sign-in attempt. Cost 16 is
// about 64 times the common cost 10.
const maxBcryptCost = 16

// bcryptChars is the alphabet of bcrypt's salt and hash.
const bcryptChars = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// checkBcrypt checks a bcrypt digest's length, cost and alphabet, so a digest
// that could never verify is refused when imported rather than failing (or
// silently never matching) at sign-in.
func checkBcrypt(digest string) error {
	if len(digest) != 60 || digest[6] != '$' || strings.Trim(digest[7:], bcryptChars) != "" {
		return fmt.Errorf("%w: not a bcrypt digest", ErrMalformed)
	}
	cost, err := bcrypt.Cost([]byte(digest))
	if err != nil {
		return fmt.Errorf("%w: not a bcrypt digest", ErrMalformed)
	}
	if cost > maxBcryptCost {
		return fmt.Errorf("%w: bcrypt cost %d is above the supported maximum %d", ErrMalformed, cost, maxBcryptCost)
	}
	return nil
}

// Hashers lists the hashers ValidateDigest accepts.
var Hashers = []string{"argon2id", "bcrypt"}

type phc struct {
	Params
	salt, key []byte
}

// parseArgon2id parses $argon2id$v=19$m=..,t=..,p=..$salt$key.
func parseArgon2id(s string) (phc, error) {
	var out phc
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return out, ErrMalformed
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return out, ErrMalformed
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return out, ErrMalformed
		}
		switch k {
		case "m":
			out.MemoryKiB = uint32(n)
		case "t":
			out.Iterations = uint32(n)
		case "p":
			if n > 255 {
				return out, ErrMalformed
			}
			out.Parallelism = uint8(n)
		default:
			return out, ErrMalformed
		}
	}
	// Bounds keep a hostile imported digest from costing unbounded memory or
	// time: at most 1 GiB (the settings' own cap), 64 passes, 64 lanes.
	if out.MemoryKiB < 8*uint32(max(out.Parallelism, 1)) || out.MemoryKiB > 1<<20 ||
		out.Iterations < 1 || out.Iterations > 64 || out.Parallelism < 1 || out.Parallelism > 64 {
		return out, ErrMalformed
	}
	var err error
	if out.salt, err = b64.DecodeString(parts[4]); err != nil || len(out.salt) < 8 {
		return out, ErrMalformed
	}
	if out.key, err = b64.DecodeString(parts[5]); err != nil || len(out.key) < 16 || len(out.key) > 64 {
		return out, ErrMalformed
	}
	return out, nil
}
