package oauth

import (
	"context"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

func TestLookup(t *testing.T) {
	doc, err := decodeJSON([]byte(`{"id":12345678901234567890,"data":{"email":"a@b.example","ok":"true","flag":true,"list":[{"v":"first"},{"v":"second"}],"n":null},"dot.key":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, str string
		b         bool
	}{
		{"id", "12345678901234567890", false},
		{"data.email", "a@b.example", false},
		{"data.ok", "true", true},
		{"data.flag", "true", true},
		{"data.list.1.v", "second", false},
		{"data.list.2.v", "", false},
		{"data.list.-1.v", "", false},
		{"data.list.x", "", false},
		{"data.n", "", false},
		{"data", "", false},
		{"data.email.more", "", false},
		{"", "", false},
		{".", "", false},
		{"data.", "", false},
		{"dot.key", "", false},
		{strings.Repeat("a.", 20) + "a", "", false},
	}
	for _, tt := range tests {
		if got := lookupString(doc, tt.path); got != tt.str {
			t.Errorf("lookupString(%q) = %q, want %q", tt.path, got, tt.str)
		}
		if got := lookupBool(doc, tt.path); got != tt.b {
			t.Errorf("lookupBool(%q) = %t, want %t", tt.path, got, tt.b)
		}
	}
	if _, err := decodeJSON([]byte(`{"a":1} {"b":2}`)); err == nil {
		t.Error("trailing JSON accepted")
	}
}

func FuzzLookup(f *testing.F) {
	f.Add(`{"data":{"email":"a@b.example","list":[1,2,{"x":true}]}}`, "data.list.2.x")
	f.Add(`[1,[2,[3]]]`, "1.1.0")
	f.Add(`{"":{"":1}}`, ".")
	f.Add(`"just a string"`, "0")
	f.Fuzz(func(t *testing.T, body, path string) {
		doc, err := decodeJSON([]byte(body))
		if err != nil {
			return
		}
		s := lookupString(doc, path)
		lookupBool(doc, path)
		v, ok := lookup(doc, path)
		if !ok && s != "" {
			t.Fatalf("lookupString(%q) = %q for a missing path", path, s)
		}
		if ok && (path == "" || strings.Count(path, ".") >= maxPathSegments) {
			t.Fatalf("path %q found despite its shape", path)
		}
		if ok && asString(v) != s {
			t.Fatalf("asString and lookupString disagree for %q", path)
		}
		// A mapped profile never fails and never panics on any document.
		prof, err := mappedProfile(mappingFor(path))(context.Background(), nil, profileSource{userinfo: doc})
		if err != nil {
			t.Fatal(err)
		}
		finishProfile(prof)
	})
}

func mappingFor(path string) latchkey.OAuthFieldMapping {
	return latchkey.OAuthFieldMapping{
		ID: path, Email: path, EmailVerified: path, FirstName: path,
		LastName: path, Name: path, AvatarURL: path, Username: path,
	}
}
