package latchkey

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary strings to the token parser and verifier. It
// must never panic, must return claims exactly when it says valid, and
// must accept no token but the ones the test signed: a mutation that still
// verifies would mean a token has more than one spelling, or worse.
func FuzzVerify(f *testing.F) {
	k := newSigningKey(f, "kid_current")
	clk := &clock{now: t0}
	v, err := NewVerifier(Options{PublicKeyPEM: k.publicPEM(f), Issuer: testIssuer,
		AuthorizedParties: []string{testApp}, Now: clk.Now, CacheSize: -1})
	if err != nil {
		f.Fatal(err)
	}
	now := clk.Now()
	valid := map[string]bool{}
	for _, c := range []map[string]any{
		claimsAt(now),
		with(claimsAt(now), "o", map[string]any{"id": "org_1", "rol": "admin"}, "custom", []any{1, "x", nil}),
		with(claimsAt(now), "azp", nil, "nbf", nil, "fva", nil, "v", nil),
	} {
		tok := sign(f, k, c)
		valid[tok] = true
		f.Add(tok)
	}
	header := `{"alg":"ES256","kid":"kid_current","typ":"JWT"}`
	for _, s := range []string{
		"",
		"abc.def.ghi",
		"..",
		"a.b.c.d",
		b64s(`{"alg":"none"}`) + "." + b64s(`{"sub":"x"}`) + ".",
		b64s(`{"alg":"HS256"}`) + "." + b64s(`{"sub":"x"}`) + "." + b64s("mac"),
		signRaw(f, k, header, `{"exp":1,"exp":2}`),
		signRaw(f, k, header, `{"sub":"u","iat":1e999,"exp":"x"}`),
		signRaw(f, k, header, `{"sub":"u","iat":1,"exp":1,"fva":[[],{}],"o":[1]}`),
		signRaw(f, k, `{"alg":"ES256","crit":["b64"]}`, `{}`),
		signRaw(f, k, header, `{"sub":"u","iat":1,"exp":99999999999,"n":`+strings.Repeat("[", 5000)+`}`),
		strings.Repeat("A", MaxTokenBytes+1),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, r := v.Verify(context.Background(), tok)
		if r == "" {
			t.Fatal("empty reason")
		}
		if (c != nil) != (r == ReasonSessionTokenValid) {
			t.Fatalf("claims %v with reason %s", c, r)
		}
		if r == ReasonSessionTokenValid && !valid[tok] {
			t.Fatalf("a token the test did not sign verified: %q", tok)
		}
	})
}

// FuzzParseClaims checks the strict claims decoder on arbitrary JSON: no
// panic, and what it accepts has the required claims.
func FuzzParseClaims(f *testing.F) {
	for _, s := range []string{
		`{"sub":"u","iat":1,"exp":2}`,
		`{"sub":"u","iat":1.5,"exp":2e3,"fva":[1,-1],"o":{"a":1},"act":null,"x":[{"y":{}}]}`,
		`{"sub":"u","sub":"v"}`,
		`{"sub":1}`,
		`[]`,
		`{"a":1}{}`,
		`{"sub":"u","iat":-0,"exp":1E400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseClaims(b)
		if err != nil {
			return
		}
		// A missing date would be the zero time, before the epoch.
		epoch := time.Unix(0, 0)
		if c.Subject == "" || c.ExpiresAt.Before(epoch) || c.IssuedAt.Before(epoch) {
			t.Fatalf("accepted %q without the required claims: %+v", b, c)
		}
	})
}

// FuzzHandshakeParam checks the loop guard survives any query string: the
// handshake's redirect_url always carries exactly __lk_hs=1, and the
// sign-in redirect_url never carries it.
func FuzzHandshakeParam(f *testing.F) {
	for _, s := range []string{"", "a=1", "__lk_hs=1", "%5F_lk_hs=0&b", "a=1&&__lk_hs&__lk_hs=2", "x=%zz&__lk_hs=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if strings.ContainsAny(q, "#\x00") {
			return // not part of a query
		}
		added, _ := url.ParseQuery(setHandshakeParam(q, true))
		if got := added[HandshakeParam]; len(got) != 1 || got[0] != "1" {
			t.Fatalf("added to %q: %s = %v", q, HandshakeParam, got)
		}
		removed, _ := url.ParseQuery(setHandshakeParam(q, false))
		if removed.Has(HandshakeParam) {
			t.Fatalf("removed from %q: still has %s", q, HandshakeParam)
		}
		// The middleware's loop check reads the query the same way.
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = setHandshakeParam(q, true)
		if r.URL.Query().Get(HandshakeParam) != "1" {
			t.Fatalf("request with %q does not look like a handshake return", r.URL.RawQuery)
		}
	})
}

// FuzzDecodeObject checks the hand-written object walker against
// encoding/json: whatever it accepts, json.Unmarshal reads as the same
// members with the same raw values; whatever it refuses that
// encoding/json accepts must be a duplicate name or not an object.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { "a" : 1 , "b":[1,{"c":"]}"}] ,"d":"\"}"} `, `{"a":1,"a":2}`, `{"\u0061":1,"a":2}`,
		`{"x":{"y":[[[]]]},"z":-1.5e3,"t":true,"f":false,"n":null}`, `null`, `[]`, `{"a":"\xff"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		type member struct {
			name string
			raw  string
		}
		var got []member
		err := decodeObject(b, func(name string, raw json.RawMessage) error {
			got = append(got, member{name, string(raw)})
			return nil
		})
		var want map[string]json.RawMessage
		stdErr := json.Unmarshal(b, &want)
		if err != nil {
			if stdErr == nil && !strings.Contains(err.Error(), "duplicate") && want != nil {
				t.Fatalf("refused %q (%v), encoding/json reads %v", b, err, want)
			}
			return
		}
		if stdErr != nil || want == nil {
			t.Fatalf("accepted %q, encoding/json: %v", b, stdErr)
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d members, encoding/json %d", b, len(got), len(want))
		}
		for _, m := range got {
			if string(want[m.name]) != m.raw {
				t.Fatalf("%q: member %q = %s, encoding/json %s", b, m.name, m.raw, want[m.name])
			}
		}
	})
}
