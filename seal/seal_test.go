package seal_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey/seal"
)

func newBox(t *testing.T) (*seal.Box, []byte) {
	t.Helper()
	key, err := seal.ParseKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	b, err := seal.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b, key
}

func TestSealOpenRoundTrip(t *testing.T) {
	t.Parallel()
	b, _ := newBox(t)
	for _, tt := range []struct {
		name      string
		plaintext []byte
		ad        []byte
	}{
		{"empty", []byte{}, []byte("signing_key:kid_1")},
		{"short", []byte("secret"), []byte("signing_key:kid_1")},
		{"binary", bytes.Repeat([]byte{0, 0xff, 7}, 1000), []byte("x")},
		{"no additional data", []byte("secret"), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sealed := b.Seal(tt.plaintext, tt.ad)
			if want := 1 + 12 + len(tt.plaintext) + 16; len(sealed) != want {
				t.Errorf("sealed length = %d, want %d (version, nonce, ciphertext, tag)", len(sealed), want)
			}
			if sealed[0] != 1 {
				t.Errorf("version byte = %d, want 1", sealed[0])
			}
			if len(tt.plaintext) >= 4 && bytes.Contains(sealed, tt.plaintext) {
				t.Error("sealed value contains the plaintext")
			}
			got, err := b.Open(sealed, tt.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("Open = %q, want %q", got, tt.plaintext)
			}
		})
	}
}

// TestSealFormat opens a sealed value with crypto/cipher directly, pinning the
// documented layout so values sealed today open after a refactor.
func TestSealFormat(t *testing.T) {
	t.Parallel()
	b, key := newBox(t)
	sealed := b.Seal([]byte("pkcs8 bytes"), []byte("signing_key:kid_x"))
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gcm.Open(nil, sealed[1:13], sealed[13:], []byte("signing_key:kid_x"))
	if err != nil || string(got) != "pkcs8 bytes" {
		t.Fatalf("AES-256-GCM open of version|nonce|ciphertext = %q, %v", got, err)
	}
	// And the other way: a value sealed outside the package opens inside.
	nonce := bytes.Repeat([]byte{9}, 12)
	ext := append([]byte{1}, nonce...)
	ext = gcm.Seal(ext, nonce, []byte("from outside"), []byte("ad"))
	if got, err := b.Open(ext, []byte("ad")); err != nil || string(got) != "from outside" {
		t.Errorf("Open(externally sealed) = %q, %v", got, err)
	}
}

func TestOpenFails(t *testing.T) {
	t.Parallel()
	b, _ := newBox(t)
	other, _ := newBox(t)
	ad := []byte("signing_key:kid_1")
	sealed := b.Seal([]byte("the private key"), ad)
	mutate := func(f func(s []byte) []byte) []byte { return f(bytes.Clone(sealed)) }
	tests := []struct {
		name   string
		box    *seal.Box
		sealed []byte
		ad     []byte
	}{
		{"wrong key", other, sealed, ad},
		{"wrong additional data", b, sealed, []byte("signing_key:kid_2")},
		{"missing additional data", b, sealed, nil},
		{"flipped ciphertext bit", b, mutate(func(s []byte) []byte { s[13] ^= 1; return s }), ad},
		{"flipped tag bit", b, mutate(func(s []byte) []byte { s[len(s)-1] ^= 0x80; return s }), ad},
		{"flipped nonce bit", b, mutate(func(s []byte) []byte { s[1] ^= 1; return s }), ad},
		{"wrong version", b, mutate(func(s []byte) []byte { s[0] = 2; return s }), ad},
		{"version 0", b, mutate(func(s []byte) []byte { s[0] = 0; return s }), ad},
		{"truncated by one", b, sealed[:len(sealed)-1], ad},
		{"appended byte", b, append(bytes.Clone(sealed), 0), ad},
		{"tag only", b, sealed[:1+12+16], ad},
		{"shorter than overhead", b, sealed[:1+12+15], ad},
		{"version only", b, sealed[:1], ad},
		{"empty", b, []byte{}, ad},
		{"nil", b, nil, ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.box.Open(tt.sealed, tt.ad)
			if !errors.Is(err, seal.ErrOpen) {
				t.Errorf("Open = %q, %v; want ErrOpen", got, err)
			}
			if got != nil {
				t.Errorf("Open returned %q with its error", got)
			}
		})
	}
	if !strings.Contains(seal.ErrOpen.Error(), "master key") {
		t.Errorf("ErrOpen = %q, want it to point at the master key", seal.ErrOpen)
	}
}

func TestSealNonceUnique(t *testing.T) {
	t.Parallel()
	b, _ := newBox(t)
	seen := map[string]bool{}
	var first []byte
	for i := range 1000 {
		s := b.Seal([]byte("same plaintext"), []byte("same ad"))
		if i == 0 {
			first = s
		} else if bytes.Equal(s, first) {
			t.Fatal("two seals of the same plaintext are identical")
		}
		nonce := string(s[1:13])
		if seen[nonce] {
			t.Fatalf("nonce repeated after %d seals", i)
		}
		seen[nonce] = true
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		b, err := seal.New(make([]byte, n))
		if err == nil || b != nil {
			t.Errorf("New(%d-byte key) = %v, %v; want an error", n, b, err)
			continue
		}
		if !strings.Contains(err.Error(), "32 bytes") {
			t.Errorf("New(%d-byte key) error %q does not say 32 bytes", n, err)
		}
	}
	if _, err := seal.New(make([]byte, 32)); err != nil {
		t.Errorf("New(32-byte key) = %v", err)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = byte(0xf8 + i) // high bytes give '+' '/' (std) or '-' '_' (URL)
	}
	std := base64.StdEncoding.EncodeToString(raw)
	url := base64.URLEncoding.EncodeToString(raw)
	if !strings.ContainsAny(std, "+/") || !strings.ContainsAny(url, "-_") {
		t.Fatalf("test setup: %q / %q do not exercise the alphabets", std, url)
	}
	tests := []struct {
		name    string
		in      string
		wantErr []string // substrings of the error; nil means success
	}{
		{"std padded", std, nil},
		{"std raw", strings.TrimRight(std, "="), nil},
		{"url padded", url, nil},
		{"url raw", strings.TrimRight(url, "="), nil},
		{"surrounding whitespace", "  " + std + "\n", nil},
		{"16 bytes", base64.StdEncoding.EncodeToString(raw[:16]), []string{"16 bytes", "32", "openssl rand -base64 32"}},
		{"31 bytes", base64.StdEncoding.EncodeToString(raw[:31]), []string{"31 bytes", "32"}},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(raw, 1)), []string{"33 bytes", "32"}},
		{"64 hex characters", strings.Repeat("ab", 32), []string{"48 bytes", "32"}},
		{"empty", "", []string{"32", "openssl rand -base64 32"}},
		{"not base64", "this is not base64!", []string{"not valid base64", "openssl rand -base64 32"}},
		{"mixed alphabets", strings.Replace(std, "/", "_", 1)[:10] + strings.Replace(url, "_", "/", 1)[10:], []string{"not valid base64"}},
		{"inner space", std[:20] + " " + std[20:], []string{"not valid base64"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := seal.ParseKey(tt.in)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("ParseKey(%q) = %v", tt.in, err)
				}
				if diff := cmp.Diff(raw, got); diff != "" {
					t.Errorf("ParseKey(%q) (-want +got):\n%s", tt.in, diff)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseKey(%q) = %x, want an error", tt.in, got)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("ParseKey(%q) error %q does not mention %q", tt.in, err, s)
				}
			}
			// The key itself never appears in the message: it may be logged.
			if tt.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
				t.Errorf("ParseKey error %q contains the key", err)
			}
		})
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		s := seal.GenerateKey()
		if len(s) != 44 {
			t.Errorf("GenerateKey() = %q, want 44 characters of padded base64", s)
		}
		k, err := seal.ParseKey(s)
		if err != nil || len(k) != seal.KeySize {
			t.Fatalf("ParseKey(GenerateKey()) = %d bytes, %v", len(k), err)
		}
		if seen[s] {
			t.Fatalf("GenerateKey repeated %q", s)
		}
		seen[s] = true
		if _, err := seal.New(k); err != nil {
			t.Fatal(err)
		}
	}
}
