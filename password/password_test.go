package password

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// fast are cheap argon2id parameters for tests that are not about the cost.
var fast = Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// Digests made by independent implementations: the argon2 reference C
// implementation (Debian's argon2 command), Python's bcrypt and PHP's
// password_hash (the example in PHP's password_verify documentation).
var reference = []struct {
	name, password, digest string
	params                 Params // argon2id only
}{
	{"argon2 CLI, m=64 t=2 p=1", "correct horse battery staple",
		"$argon2id$v=19$m=64,t=2,p=1$TmFDbC1zYWx0LTE2Ynl0ZQ$Xb/g005ShfXNGC+d2UPxzE9e96v5/LGWpg12EsvTv+0", Params{64, 2, 1}},
	{"argon2 CLI, m=128 t=1 p=2, UTF-8", "pässwörd",
		"$argon2id$v=19$m=128,t=1,p=2$YW5vdGhlciBzYWx0IDEyMw$pxXZUIreREfh1V9uddiT+ZHvZAg8BqH6wM+HeKRrj/E", Params{128, 1, 2}},
	{"python bcrypt $2a$", "hunter2hunter2", "$2a$04$F9J9/dufylvSPFHrelU9IebO1Op07fgkv8tS0MZqDDKv38fosfpu6", Params{}},
	{"python bcrypt $2b$", "hunter2hunter2", "$2b$05$/6Yb94zOkEnplSeeb6Y.wuI9HeHKm6ddJivoatyXJ1RD8q1hG7Aa6", Params{}},
	{"PHP $2y$", "rasmuslerdorf", "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq", Params{}},
}

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	pool := NewPool(2, 0)
	ctx := context.Background()
	for _, pw := range []string{"", "password", "correct horse battery staple", "pässwörd 🔑", strings.Repeat("x", 1024), "a\x00b"} {
		t.Run(fmt.Sprintf("%.20q", pw), func(t *testing.T) {
			t.Parallel()
			h, err := pool.Hash(ctx, pw, fast)
			if err != nil {
				t.Fatal(err)
			}
			ok, err := pool.Verify(ctx, pw, h)
			if err != nil || !ok {
				t.Fatalf("Verify(right password) = %v, %v; want true, nil", ok, err)
			}
			for _, wrong := range []string{pw + "x", strings.ToUpper(pw) + "!", "", " " + pw} {
				if wrong == pw {
					continue
				}
				if ok, err := pool.Verify(ctx, wrong, h); err != nil || ok {
					t.Errorf("Verify(%.20q) = %v, %v; want false, nil", wrong, ok, err)
				}
			}
		})
	}
}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

func TestHashFormat(t *testing.T) {
	t.Parallel()
	for _, p := range []Params{fast, {MemoryKiB: 96, Iterations: 3, Parallelism: 2}} {
		t.Run(fmt.Sprint(p), func(t *testing.T) {
			t.Parallel()
			h := hash("secret", p)
			m := phcPattern.FindStringSubmatch(h)
			if m == nil {
				t.Fatalf("hash = %q, want a PHC string with a 16-byte salt and 32-byte key in unpadded base64", h)
			}
			if got, want := m[1]+","+m[2]+","+m[3], fmt.Sprintf("%d,%d,%d", p.MemoryKiB, p.Iterations, p.Parallelism); got != want {
				t.Errorf("encoded m,t,p = %s, want %s", got, want)
			}
			// The key really is argon2id over the encoded salt and parameters.
			salt, _ := base64.RawStdEncoding.DecodeString(m[4])
			key, _ := base64.RawStdEncoding.DecodeString(m[5])
			if want := argon2.IDKey([]byte("secret"), salt, p.Iterations, p.MemoryKiB, p.Parallelism, 32); !cmp.Equal(key, want) {
				t.Errorf("encoded key is not argon2id(password, salt, params)")
			}
			ph, err := parseArgon2id(h)
			if err != nil {
				t.Fatalf("parseArgon2id(own hash): %v", err)
			}
			if ph.Params != p {
				t.Errorf("parsed params = %+v, want %+v", ph.Params, p)
			}
		})
	}
}

func TestHashSalted(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 20 {
		h := hash("same password", fast)
		salt := strings.Split(h, "$")[4]
		if seen[salt] {
			t.Fatalf("salt %s repeated", salt)
		}
		seen[salt] = true
	}
}

// TestDefaultParams runs the real cost of a new instance once.
func TestDefaultParams(t *testing.T) {
	t.Parallel()
	s := latchkey.DefaultSettings().Password
	p := Params{MemoryKiB: s.Argon2MemoryKiB, Iterations: s.Argon2Iterations, Parallelism: s.Argon2Parallelism}
	if p.MemoryKiB < 46*1024 || p.Iterations < 1 || p.Parallelism < 1 {
		t.Fatalf("default params %+v are below the OWASP ASVS floor (m=46 MiB, t=1, p=1)", p)
	}
	pool := NewPool(1, 0)
	ctx := context.Background()
	h, err := pool.Hash(ctx, "correct horse battery staple", p)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", p.MemoryKiB, p.Iterations, p.Parallelism); !strings.HasPrefix(h, want) {
		t.Errorf("hash = %q, want prefix %q", h, want)
	}
	if ok, err := pool.Verify(ctx, "correct horse battery staple", h); err != nil || !ok {
		t.Errorf("Verify = %v, %v; want true", ok, err)
	}
	if ok, err := pool.Verify(ctx, "correct horse battery stapler", h); err != nil || ok {
		t.Errorf("Verify(wrong) = %v, %v; want false", ok, err)
	}
	if NeedsRehash(h, p) {
		t.Error("NeedsRehash(hash under the defaults, defaults) = true")
	}
}

func TestVerifyReferenceDigests(t *testing.T) {
	t.Parallel()
	for _, tt := range reference {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, err := verify(tt.password, tt.digest)
			if err != nil || !ok {
				t.Fatalf("verify(right password) = %v, %v; want true, nil", ok, err)
			}
			if ok, err := verify(tt.password+"!", tt.digest); err != nil || ok {
				t.Errorf("verify(wrong password) = %v, %v; want false, nil", ok, err)
			}
			hasher := "bcrypt"
			if strings.HasPrefix(tt.digest, "$argon2id$") {
				hasher = "argon2id"
			}
			if err := ValidateDigest(hasher, tt.digest); err != nil {
				t.Errorf("ValidateDigest(%q) = %v", hasher, err)
			}
			if !NeedsRehash(tt.digest, fast) {
				t.Error("NeedsRehash(digest, other params) = false")
			}
			if hasher == "argon2id" && NeedsRehash(tt.digest, tt.params) {
				t.Error("NeedsRehash(digest, its own params) = true")
			}
		})
	}
}

// TestVerifyBcryptVariants checks digests from golang.org/x/crypto/bcrypt
// under each prefix other systems write: $2a$ (Go, older PHP), $2b$
// (OpenBSD, Python) and $2y$ (PHP); the algorithm is the same.
func TestVerifyBcryptVariants(t *testing.T) {
	t.Parallel()
	d, err := bcrypt.GenerateFromPassword([]byte("s3cret-imported"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(d), "$2a$") {
		t.Fatalf("bcrypt digest %q, want $2a$", d)
	}
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			digest := prefix + string(d[4:])
			if !IsBcrypt(digest) {
				t.Errorf("IsBcrypt(%q) = false", digest)
			}
			if err := ValidateDigest("bcrypt", digest); err != nil {
				t.Errorf("ValidateDigest = %v", err)
			}
			if ok, err := NewPool(1, 0).Verify(context.Background(), "s3cret-imported", digest); err != nil || !ok {
				t.Errorf("Verify(right) = %v, %v", ok, err)
			}
			if ok, err := verify("s3cret-imported ", digest); err != nil || ok {
				t.Errorf("verify(wrong) = %v, %v", ok, err)
			}
			if !NeedsRehash(digest, fast) {
				t.Error("NeedsRehash(bcrypt) = false, want true: imported digests are upgraded to argon2id")
			}
		})
	}
	// bcrypt reads at most 72 bytes; a longer attempt is a mismatch, not an error.
	if ok, err := verify(strings.Repeat("p", 100), string(d)); err != nil || ok {
		t.Errorf("verify(100-byte password) = %v, %v; want false, nil", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	h := hash("pw", fast)
	shortKey := strings.Replace(reference[0].digest, "$Xb/g005ShfXNGC+d2UPxzE9e96v5/LGWpg12EsvTv+0", "$"+base64.RawStdEncoding.EncodeToString(make([]byte, 16)), 1)
	tests := []struct {
		name   string
		stored string
		p      Params
		want   bool
	}{
		{"same params", h, fast, false},
		{"more memory", h, Params{MemoryKiB: 128, Iterations: 1, Parallelism: 1}, true},
		{"less memory", h, Params{MemoryKiB: 32, Iterations: 1, Parallelism: 1}, true},
		{"more iterations", h, Params{MemoryKiB: 64, Iterations: 2, Parallelism: 1}, true},
		{"more lanes", h, Params{MemoryKiB: 64, Iterations: 1, Parallelism: 2}, true},
		{"16-byte key", shortKey, Params{64, 2, 1}, true},
		{"bcrypt", reference[2].digest, fast, true},
		{"malformed", "$argon2id$v=19$m=64", fast, true},
		{"empty", "", fast, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := NeedsRehash(tt.stored, tt.p); got != tt.want {
				t.Errorf("NeedsRehash(%q, %+v) = %v, want %v", tt.stored, tt.p, got, tt.want)
			}
		})
	}
}

// phcWith returns a PHC string with the given parameter text and salt and
// key sizes; the salt and key are zero bytes.
func phcWith(params string, saltLen, keyLen int) string {
	return "$argon2id$v=19$" + params + "$" + b64.EncodeToString(make([]byte, saltLen)) + "$" + b64.EncodeToString(make([]byte, keyLen))
}

func TestValidateDigest(t *testing.T) {
	t.Parallel()
	bc, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	bcRest := string(bc[7:]) // the 53 characters of salt and hash
	salt := b64.EncodeToString(make([]byte, 16))
	key := b64.EncodeToString(make([]byte, 32))
	const malformed, unsupported = "malformed", "unsupported"
	tests := []struct {
		name, hasher, digest string
		want                 string // "", malformed or unsupported
	}{
		{"argon2id", "argon2id", hash("pw", fast), ""},
		{"argon2id, 8-byte salt, 16-byte key", "argon2id", phcWith("m=64,t=1,p=1", 8, 16), ""},
		{"argon2id, 64-byte key", "argon2id", phcWith("m=64,t=1,p=1", 16, 64), ""},
		{"argon2id, largest bounds", "argon2id", phcWith("m=1048576,t=64,p=64", 16, 32), ""},
		{"argon2id, params in other order", "argon2id", phcWith("p=1,t=1,m=64", 16, 32), ""},
		{"argon2id, m huge", "argon2id", phcWith("m=4294967295,t=1,p=1", 16, 32), malformed},
		{"argon2id, m above 1 GiB", "argon2id", phcWith("m=1048577,t=1,p=1", 16, 32), malformed},
		{"argon2id, m overflows uint32", "argon2id", phcWith("m=4294967296,t=1,p=1", 16, 32), malformed},
		{"argon2id, m below 8 per lane", "argon2id", phcWith("m=15,t=1,p=2", 16, 32), malformed},
		{"argon2id, m 0", "argon2id", phcWith("m=0,t=1,p=1", 16, 32), malformed},
		{"argon2id, m negative", "argon2id", phcWith("m=-64,t=1,p=1", 16, 32), malformed},
		{"argon2id, t huge", "argon2id", phcWith("m=64,t=4294967295,p=1", 16, 32), malformed},
		{"argon2id, t 65", "argon2id", phcWith("m=64,t=65,p=1", 16, 32), malformed},
		{"argon2id, t 0", "argon2id", phcWith("m=64,t=0,p=1", 16, 32), malformed},
		{"argon2id, p 0", "argon2id", phcWith("m=64,t=1,p=0", 16, 32), malformed},
		{"argon2id, p 65", "argon2id", phcWith("m=1024,t=1,p=65", 16, 32), malformed},
		{"argon2id, p 256 wraps uint8", "argon2id", phcWith("m=4096,t=1,p=256", 16, 32), malformed},
		{"argon2id, p 257 wraps to 1", "argon2id", phcWith("m=4096,t=1,p=257", 16, 32), malformed},
		{"argon2id, missing p", "argon2id", phcWith("m=64,t=1", 16, 32), malformed},
		{"argon2id, unknown param", "argon2id", phcWith("m=64,t=1,p=1,x=2", 16, 32), malformed},
		{"argon2id, param without value", "argon2id", phcWith("m=64,t=1,p", 16, 32), malformed},
		{"argon2id, space in number", "argon2id", phcWith("m= 64,t=1,p=1", 16, 32), malformed},
		{"argon2id, short salt", "argon2id", phcWith("m=64,t=1,p=1", 7, 32), malformed},
		{"argon2id, short key", "argon2id", phcWith("m=64,t=1,p=1", 16, 15), malformed},
		{"argon2id, long key", "argon2id", phcWith("m=64,t=1,p=1", 16, 65), malformed},
		{"argon2id, salt not base64", "argon2id", "$argon2id$v=19$m=64,t=1,p=1$!!!!!!!!!!!!$" + key, malformed},
		{"argon2id, key not base64", "argon2id", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("*", 43), malformed},
		{"argon2id, padded salt", "argon2id", "$argon2id$v=19$m=64,t=1,p=1$" + base64.StdEncoding.EncodeToString(make([]byte, 16)) + "$" + key, malformed},
		{"argon2id, version 16", "argon2id", strings.Replace(phcWith("m=64,t=1,p=1", 16, 32), "v=19", "v=16", 1), malformed},
		{"argon2id, no version", "argon2id", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key, malformed},
		{"argon2i", "argon2id", strings.Replace(phcWith("m=64,t=1,p=1", 16, 32), "argon2id", "argon2i", 1), malformed},
		{"argon2id, text before", "argon2id", "x" + phcWith("m=64,t=1,p=1", 16, 32), malformed},
		{"argon2id, extra field", "argon2id", phcWith("m=64,t=1,p=1", 16, 32) + "$x", malformed},
		{"argon2id, empty", "argon2id", "", malformed},
		{"argon2id hasher given bcrypt", "argon2id", string(bc), malformed},

		{"bcrypt $2a$", "bcrypt", string(bc), ""},
		{"bcrypt $2b$", "bcrypt", "$2b$04$" + bcRest, ""},
		{"bcrypt $2y$", "bcrypt", "$2y$04$" + bcRest, ""},
		{"bcrypt cost 12", "bcrypt", "$2b$12$" + bcRest, ""},
		{"bcrypt $2x$", "bcrypt", "$2x$04$" + bcRest, malformed},
		{"bcrypt $2$", "bcrypt", "$2$04$" + bcRest, malformed},
		{"bcrypt truncated", "bcrypt", string(bc[:59]), malformed},
		{"bcrypt too long", "bcrypt", string(bc) + "a", malformed},
		{"bcrypt cost 3", "bcrypt", "$2a$03$" + bcRest, malformed},
		{"bcrypt cost not a number", "bcrypt", "$2a$1x$" + bcRest, malformed},
		// Cost 31 is 2^21 times the work of cost 10: days of CPU per
		// sign-in attempt, holding a hashing slot.
		{"bcrypt cost 31", "bcrypt", "$2a$31$" + bcRest, malformed},
		{"bcrypt cost 17", "bcrypt", "$2a$17$" + bcRest, malformed},
		{"bcrypt not base64", "bcrypt", "$2a$04$" + strings.Repeat("!", 53), malformed},
		{"bcrypt std base64 char", "bcrypt", "$2a$04$" + "+" + bcRest[1:], malformed},
		{"bcrypt hasher given argon2id", "bcrypt", hash("pw", fast), malformed},
		{"bcrypt empty", "bcrypt", "", malformed},

		{"unknown hasher", "md5", "5f4dcc3b5aa765d61d8327deb882cf99", unsupported},
		{"empty hasher", "", string(bc), unsupported},
		{"hasher case matters", "Bcrypt", string(bc), unsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateDigest(tt.hasher, tt.digest)
			switch tt.want {
			case "":
				if err != nil {
					t.Errorf("ValidateDigest(%q, %q) = %v, want nil", tt.hasher, tt.digest, err)
				}
			case malformed:
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("ValidateDigest(%q, %q) = %v, want ErrMalformed", tt.hasher, tt.digest, err)
				}
			case unsupported:
				if err == nil || errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.hasher)) {
					t.Errorf("ValidateDigest(%q, ...) = %v, want an unsupported-hasher error naming it", tt.hasher, err)
				}
			}
		})
	}
	if diff := cmp.Diff([]string{"argon2id", "bcrypt"}, Hashers); diff != "" {
		t.Errorf("Hashers (-want +got):\n%s", diff)
	}
}

// TestVerifyMalformed checks that a corrupted stored hash is an error, never
// a panic and never a match.
func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	pool := NewPool(1, 0)
	for _, stored := range []string{
		"", "plaintext-password", "$argon2id$", "$argon2id$v=19$m=64,t=1,p=1$$",
		phcWith("m=64,t=0,p=1", 16, 32), phcWith("m=0,t=1,p=1", 16, 32), phcWith("m=64,t=1,p=0", 16, 32),
		"$2a$", "$2a$04$short", "$2a$04$" + strings.Repeat("!", 53), "$2a$99$" + strings.Repeat("a", 53),
		"$2b$04$" + strings.Repeat("a", 52) + "\xff", "$argon2id$v=19$m=64,t=1,p=1$\x00$\x00",
	} {
		ok, err := pool.Verify(context.Background(), "pw", stored)
		if ok || !errors.Is(err, ErrMalformed) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformed", stored, ok, err)
		}
	}
}

func FuzzParseArgon2id(f *testing.F) {
	for _, s := range []string{
		reference[0].digest, reference[1].digest, phcWith("m=64,t=1,p=1", 16, 32),
		phcWith("m=4194304,t=64,p=64", 8, 64), phcWith("m=4294967295,t=1,p=1", 16, 32),
		phcWith("m=15,t=1,p=2", 16, 32), phcWith("m=64,t=1,p=257", 16, 32), phcWith("p=1,m=64,t=1,m=9", 16, 32),
		"$argon2id$v=19$m=64,t=1,p=1$$", "$argon2id$", "", "$$$$$", reference[2].digest,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ph, err := parseArgon2id(s)
		if verr := ValidateDigest("argon2id", s); (verr == nil) != (err == nil) {
			t.Fatalf("ValidateDigest and parseArgon2id disagree on %q: %v vs %v", s, verr, err)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("parseArgon2id(%q) = %v, want ErrMalformed", s, err)
			}
			return
		}
		p := ph.Params
		if p.Iterations < 1 || p.Iterations > 64 || p.Parallelism < 1 || p.Parallelism > 64 ||
			p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > 1<<20 {
			t.Fatalf("parseArgon2id(%q) accepted params %+v outside the bounds", s, p)
		}
		if len(ph.salt) < 8 || len(ph.key) < 16 || len(ph.key) > 64 {
			t.Fatalf("parseArgon2id(%q) accepted salt %d / key %d bytes", s, len(ph.salt), len(ph.key))
		}
		if !strings.HasPrefix(s, "$argon2id$v=19$") {
			t.Fatalf("parseArgon2id(%q) accepted a string that is not $argon2id$v=19$", s)
		}
		// Re-encoding what was parsed gives a string that parses the same.
		again := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.MemoryKiB, p.Iterations, p.Parallelism,
			b64.EncodeToString(ph.salt), b64.EncodeToString(ph.key))
		ph2, err := parseArgon2id(again)
		if err != nil || !cmp.Equal(ph, ph2, cmp.AllowUnexported(phc{})) {
			t.Fatalf("re-encoded %q parses as %+v, %v; want %+v", again, ph2, err, ph)
		}
	})
}
