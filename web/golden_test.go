package web

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Backend API responses are a public contract: golden files in
// testdata/golden hold them, with volatile values (IDs, times, secrets)
// replaced by placeholders so one file serves every engine and every run.
// go test ./web/ -run TestX -update rewrites them.

var update = flag.Bool("update", false, "rewrite golden files")

var (
	goldenMu      sync.Mutex
	goldenWritten = map[string]string{} // name -> content written in this run (-update)
)

var (
	idPattern     = regexp.MustCompile(`\b(user|idn_email|idn_phone|idn_username|ak|kid|req|ins)_[0-9A-Za-z]{27}\b`)
	secretPattern = regexp.MustCompile(`^sk_(test|live)_[0-9A-Za-z]{40}$`)
	prefixPattern = regexp.MustCompile(`^sk_(test|live)_[0-9A-Za-z]{4}$`)
	pkPattern     = regexp.MustCompile(`^pk_(test|live)_[0-9A-Za-z]{32}$`)
	msPattern     = regexp.MustCompile(`^[0-9]{13}$`)
)

// golden compares the JSON body with testdata/golden/<name>.json after
// normalizing it, or rewrites the file with -update.
func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	got, err := normalizeJSON(body)
	if err != nil {
		t.Fatalf("golden %s: %v; body:\n%s", name, err, body)
	}
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		goldenMu.Lock()
		defer goldenMu.Unlock()
		if prev, ok := goldenWritten[name]; ok {
			if prev != got {
				t.Errorf("golden %s differs between runs in one -update (engines disagree?):\n%s", name, cmp.Diff(prev, got))
			}
			return
		}
		goldenWritten[name] = got
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test ./web/ -update to create it)", name, err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("golden %s mismatch (-want +got; go test ./web/ -update rewrites):\n%s", name, diff)
	}
}

// normalizeJSON pretty-prints body with sorted keys and placeholders for
// volatile values: Unix-millisecond times in *_at fields become "<ms>",
// secret keys "sk_test_<secret>" (their listed prefix "sk_test_<prefix>"),
// publishable keys "pk_test_<pk>", JWK coordinates "<coord>", and IDs
// "<user_1>", "<user_2>", ... numbered per prefix in order of appearance.
func normalizeJSON(body []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	v = normalizeValue("", v)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	seen := map[string]string{}
	count := map[string]int{}
	out := idPattern.ReplaceAllStringFunc(buf.String(), func(id string) string {
		if p, ok := seen[id]; ok {
			return p
		}
		prefix := id[:strings.LastIndexByte(id, '_')]
		count[prefix]++
		p := fmt.Sprintf("<%s_%d>", prefix, count[prefix])
		seen[id] = p
		return p
	})
	return out, nil
}

func normalizeValue(key string, v any) any {
	switch v := v.(type) {
	case map[string]any:
		_, isJWK := v["kty"]
		for k, sub := range v {
			if isJWK && (k == "x" || k == "y") {
				v[k] = "<coord>"
				continue
			}
			v[k] = normalizeValue(k, sub)
		}
		return v
	case []any:
		for i, sub := range v {
			v[i] = normalizeValue(key, sub)
		}
		return v
	case json.Number:
		if strings.HasSuffix(key, "_at") && msPattern.MatchString(v.String()) {
			return "<ms>"
		}
		return v
	case string:
		switch {
		case secretPattern.MatchString(v):
			return v[:len("sk_test_")] + "<secret>"
		case prefixPattern.MatchString(v):
			return v[:len("sk_test_")] + "<prefix>"
		case pkPattern.MatchString(v):
			return v[:len("pk_test_")] + "<pk>"
		}
		return v
	}
	return v
}

func TestNormalizeJSON(t *testing.T) {
	t.Parallel()
	in := `{"id":"user_0123456789abcdefghijABCDEFG","b":["user_0123456789abcdefghijABCDEFG","user_ZZZZZZZZZZZZZZZZZZZZZZZZZZZ"],
		"created_at":1700000000000,"settings_version":3,"secret":"sk_test_0123456789012345678901234567890123456789",
		"prefix":"sk_live_abcd","publishable_key":"pk_test_01234567890123456789012345678901",
		"keys":[{"kty":"EC","x":"abc","y":"def","kid":"kid_0123456789abcdefghijABCDEFG"}],
		"long_message":"No user with ID \"user_ZZZZZZZZZZZZZZZZZZZZZZZZZZZ\"."}`
	got, err := normalizeJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "b": [
    "<user_1>",
    "<user_2>"
  ],
  "created_at": "<ms>",
  "id": "<user_1>",
  "keys": [
    {
      "kid": "<kid_1>",
      "kty": "EC",
      "x": "<coord>",
      "y": "<coord>"
    }
  ],
  "long_message": "No user with ID \"<user_2>\".",
  "prefix": "sk_live_<prefix>",
  "publishable_key": "pk_test_<pk>",
  "secret": "sk_test_<secret>",
  "settings_version": 3
}
`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("normalizeJSON (-want +got):\n%s", diff)
	}
}
