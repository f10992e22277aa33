package latchkey

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestVerifyValid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	now := f.clock.Now()
	tok := sign(t, f.key, with(claimsAt(now), "org_role", "admin", "o", map[string]any{"id": "org_1"}))
	c, reason := f.v.Verify(context.Background(), tok)
	if reason != ReasonSessionTokenValid {
		t.Fatalf("reason = %s, want %s", reason, ReasonSessionTokenValid)
	}
	want := Claims{
		Issuer: testIssuer, Subject: testUser, SessionID: testSess, AuthorizedParty: testApp,
		IssuedAt: now, NotBefore: now, ExpiresAt: now.Add(time.Minute), ID: "jti_1", Version: 1,
		FactorVerificationAge: [2]int{3, -1},
	}
	got := *c
	if string(got.Organization) != `{"id":"org_1"}` {
		t.Errorf("Organization = %s", got.Organization)
	}
	if got.Custom["org_role"] != "admin" || len(got.Custom) != 1 {
		t.Errorf("Custom = %v, want only org_role", got.Custom)
	}
	got.Organization, got.Custom = nil, nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("claims\n got %+v\nwant %+v", got, want)
	}
}

// TestVerifyRejects is the JWT negative suite: every way a token can be
// wrong, each with its own reason.
func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	other := newSigningKey(t, "kid_current") // same kid, different key
	now := f.clock.Now()
	c := claimsAt(now)
	valid := sign(t, f.key, c)
	parts := strings.Split(valid, ".")
	pubDER, err := x509.MarshalPKIXPublicKey(&f.key.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := f.key.publicPEM(t)
	pubRaw, _ := f.key.priv.PublicKey.Bytes()
	hs256 := func(secret []byte) string {
		in := b64s(`{"alg":"HS256","kid":"kid_current","typ":"JWT"}`) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rs256 := func() string {
		in := b64s(`{"alg":"RS256","kid":"kid_current","typ":"JWT"}`) + "." + parts[1]
		d := sha256.Sum256([]byte(in))
		sig, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, d[:])
		if err != nil {
			t.Fatal(err)
		}
		return in + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	header := `{"alg":"ES256","kid":"kid_current","typ":"JWT"}`
	payload := func(extra string) string {
		return fmt.Sprintf(`{"iss":%q,"sub":%q,"sid":%q,"azp":%q,"iat":%d,"nbf":%d,"exp":%d%s}`,
			testIssuer, testUser, testSess, testApp, now.Unix(), now.Unix(), now.Unix()+60, extra)
	}
	tamperedPayload := b64JSON(t, with(c, "sub", "user_admin"))
	attacker := newSigningKey(t, "kid_attacker")
	embeddedJWK := func() string {
		j := attacker.jwk(t)
		in := b64JSON(t, map[string]any{"alg": "ES256", "kid": "kid_attacker", "jwk": j}) + "." + parts[1]
		return in + "." + es256(t, attacker.priv, in)
	}

	tests := []struct {
		name  string
		token string
		want  Reason
	}{
		{"valid control", valid, ReasonSessionTokenValid},
		{"empty", "", ReasonSessionTokenMissing},

		// Algorithms.
		{"alg none, no signature", b64s(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".", ReasonAlgNotAllowed},
		{"alg none, with a valid ES256 signature", signRaw(t, f.key, `{"alg":"none","kid":"kid_current"}`, payload("")), ReasonAlgNotAllowed},
		{"alg None", b64s(`{"alg":"None"}`) + "." + parts[1] + ".", ReasonAlgNotAllowed},
		{"HS256 keyed with the public key PEM", hs256([]byte(pubPEM)), ReasonAlgNotAllowed},
		{"HS256 keyed with the public key DER", hs256(pubDER), ReasonAlgNotAllowed},
		{"HS256 keyed with the raw point", hs256(pubRaw), ReasonAlgNotAllowed},
		{"RS256", rs256(), ReasonAlgNotAllowed},
		{"ES384", signRaw(t, f.key, `{"alg":"ES384","kid":"kid_current"}`, payload("")), ReasonAlgNotAllowed},
		{"alg lower case", signRaw(t, f.key, `{"alg":"es256","kid":"kid_current"}`, payload("")), ReasonAlgNotAllowed},
		{"alg not a string", signRaw(t, f.key, `{"alg":1,"kid":"kid_current"}`, payload("")), ReasonSessionTokenMalformed},
		{"no alg", signRaw(t, f.key, `{"kid":"kid_current"}`, payload("")), ReasonSessionTokenMalformed},

		// Keys and signatures.
		{"signed by another key with the same kid", sign(t, other, c), ReasonSignatureInvalid},
		{"embedded jwk is ignored", embeddedJWK(), ReasonKidUnknown},
		{"no kid", signRaw(t, f.key, `{"alg":"ES256","typ":"JWT"}`, payload("")), ReasonKidUnknown},
		{"tampered payload", parts[0] + "." + tamperedPayload + "." + parts[2], ReasonSignatureInvalid},
		{"tampered header", b64s(`{"alg":"ES256","kid":"kid_current", "typ":"JWT"}`) + "." + parts[1] + "." + parts[2], ReasonSignatureInvalid},
		{"signature truncated by one character", valid[:len(valid)-1], ReasonSignatureInvalid},
		{"signature truncated by four characters", valid[:len(valid)-4], ReasonSignatureInvalid},
		{"signature empty", parts[0] + "." + parts[1] + ".", ReasonSignatureInvalid},
		{"signature DER-encoded", parts[0] + "." + parts[1] + "." + derEncodedSignature(t, f.key.priv, parts[0]+"."+parts[1]), ReasonSignatureInvalid},
		{"signature all zero", parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 64)), ReasonSignatureInvalid},
		{"signature with non-canonical trailing bits", parts[0] + "." + parts[1] + "." + parts[2][:85] + flipLowBits(parts[2][85]), ReasonSignatureInvalid},

		// Shape.
		{"three parts of garbage", "abc.def.ghi", ReasonSessionTokenMalformed},
		{"three parts of punctuation", "!!!.###.$$$", ReasonSessionTokenMalformed},
		{"two parts", parts[0] + "." + parts[1], ReasonSessionTokenMalformed},
		{"four parts", valid + ".x", ReasonSessionTokenMalformed},
		{"one part", "eyJhbGciOiJFUzI1NiJ9", ReasonSessionTokenMalformed},
		{"padded base64", parts[0] + "==." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"newline inside", parts[0][:5] + "\n" + parts[0][5:] + "." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"empty header", "." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"header not an object", b64s(`["ES256"]`) + "." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"header not JSON", b64s(`alg=ES256`) + "." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"header with trailing data", b64s(header+`{}`) + "." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"duplicate alg", b64s(`{"alg":"ES256","alg":"none","kid":"kid_current"}`) + "." + parts[1] + "." + parts[2], ReasonSessionTokenMalformed},
		{"crit header", signRaw(t, f.key, `{"alg":"ES256","kid":"kid_current","crit":["exp"],"exp":1}`, payload("")), ReasonSessionTokenMalformed},
		{"typ not JWT", signRaw(t, f.key, `{"alg":"ES256","kid":"kid_current","typ":"at+jwt"}`, payload("")), ReasonSessionTokenMalformed},
		{"oversize", sign(t, f.key, with(c, "pad", strings.Repeat("x", MaxTokenBytes))), ReasonSessionTokenMalformed},

		// Claims, validly signed.
		{"payload not JSON", signRaw(t, f.key, header, `not json`), ReasonSessionTokenMalformed},
		{"payload an array", signRaw(t, f.key, header, `[1,2]`), ReasonSessionTokenMalformed},
		{"duplicate exp", signRaw(t, f.key, header, payload(fmt.Sprintf(`,"exp":%d`, now.Unix()+3600))), ReasonSessionTokenMalformed},
		{"duplicate sub", signRaw(t, f.key, header, payload(`,"sub":"user_admin"`)), ReasonSessionTokenMalformed},
		{"duplicate custom claim", signRaw(t, f.key, header, payload(`,"role":"a","role":"b"`)), ReasonSessionTokenMalformed},
		{"exp a string", signRaw(t, f.key, header, strings.Replace(payload(""), fmt.Sprintf(`"exp":%d`, now.Unix()+60), fmt.Sprintf(`"exp":"%d"`, now.Unix()+60), 1)), ReasonSessionTokenMalformed},
		{"exp null", signRaw(t, f.key, header, strings.Replace(payload(""), fmt.Sprintf(`"exp":%d`, now.Unix()+60), `"exp":null`, 1)), ReasonSessionTokenMalformed},
		{"exp huge", sign(t, f.key, with(c, "exp", 1e300)), ReasonSessionTokenMalformed},
		{"exp negative", sign(t, f.key, with(c, "exp", -1)), ReasonSessionTokenMalformed},
		{"sub a number", sign(t, f.key, with(c, "sub", 42)), ReasonSessionTokenMalformed},
		{"sub missing", sign(t, f.key, with(c, "sub", nil)), ReasonSessionTokenMalformed},
		{"exp missing", sign(t, f.key, with(c, "exp", nil)), ReasonSessionTokenMalformed},
		{"iat missing", sign(t, f.key, with(c, "iat", nil)), ReasonSessionTokenMalformed},
		{"v a string", sign(t, f.key, with(c, "v", "1")), ReasonSessionTokenMalformed},
		{"v fractional", sign(t, f.key, with(c, "v", 1.5)), ReasonSessionTokenMalformed},
		{"fva one element", sign(t, f.key, with(c, "fva", []int{1})), ReasonSessionTokenMalformed},
		{"fva strings", sign(t, f.key, with(c, "fva", []string{"1", "-1"})), ReasonSessionTokenMalformed},
		{"o not an object", sign(t, f.key, with(c, "o", "org_1")), ReasonSessionTokenMalformed},

		// Time, with the default 5 s leeway.
		{"expired", sign(t, f.key, with(c, "iat", now.Add(-70*time.Second).Unix(), "nbf", now.Add(-70*time.Second).Unix(), "exp", now.Add(-10*time.Second).Unix())), ReasonExpired},
		{"expired within leeway", sign(t, f.key, with(c, "iat", now.Add(-63*time.Second).Unix(), "exp", now.Add(-3*time.Second).Unix())), ReasonSessionTokenValid},
		{"exp exactly at leeway", sign(t, f.key, with(c, "exp", now.Add(-5*time.Second).Unix())), ReasonExpired},
		{"nbf in the future", sign(t, f.key, with(c, "nbf", now.Add(time.Minute).Unix(), "exp", now.Add(2*time.Minute).Unix())), ReasonNotActiveYet},
		{"iat in the future", sign(t, f.key, with(c, "iat", now.Add(time.Minute).Unix(), "nbf", nil, "exp", now.Add(2*time.Minute).Unix())), ReasonNotActiveYet},
		{"iat ahead within leeway", sign(t, f.key, with(c, "iat", now.Add(4*time.Second).Unix(), "nbf", nil)), ReasonSessionTokenValid},
		{"fractional dates", sign(t, f.key, with(c, "iat", float64(now.Unix())+0.5, "exp", float64(now.Unix())+60.5)), ReasonSessionTokenValid},

		// Issuer and authorized party.
		{"wrong iss", sign(t, f.key, with(c, "iss", "https://evil.example.com")), ReasonIssuerMismatch},
		{"iss with a trailing slash", sign(t, f.key, with(c, "iss", testIssuer+"/")), ReasonIssuerMismatch},
		{"iss missing", sign(t, f.key, with(c, "iss", nil)), ReasonIssuerMismatch},
		{"azp not allowed", sign(t, f.key, with(c, "azp", "https://evil.example.com")), ReasonAZPNotAuthorized},
		{"azp empty string counts as absent", sign(t, f.key, with(c, "azp", "")), ReasonSessionTokenValid},
		{"azp absent", sign(t, f.key, with(c, "azp", nil)), ReasonSessionTokenValid},
		{"wrong iss beats expired", sign(t, f.key, with(c, "iss", "https://evil.example.com", "exp", now.Add(-time.Hour).Unix())), ReasonIssuerMismatch},
		{"azp beats expired", sign(t, f.key, with(c, "azp", "https://evil.example.com", "exp", now.Add(-time.Hour).Unix())), ReasonAZPNotAuthorized},
	}
	seen := map[Reason]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, got := f.v.Verify(context.Background(), tt.token)
			if got != tt.want {
				t.Fatalf("reason = %s, want %s", got, tt.want)
			}
			if (claims != nil) != (got == ReasonSessionTokenValid) {
				t.Errorf("claims = %v with reason %s", claims, got)
			}
		})
		seen[tt.want] = true
	}
	// The suite covers every token reason Verify can give without a JWKS
	// failure or cookies; those have their own tests.
	for _, r := range []Reason{ReasonSessionTokenValid, ReasonSessionTokenMissing, ReasonSessionTokenMalformed,
		ReasonAlgNotAllowed, ReasonKidUnknown, ReasonSignatureInvalid, ReasonExpired, ReasonNotActiveYet,
		ReasonIssuerMismatch, ReasonAZPNotAuthorized} {
		if !seen[r] {
			t.Errorf("no case for %s", r)
		}
	}
}

func derEncodedSignature(t *testing.T, priv *ecdsa.PrivateKey, in string) string {
	d := sha256.Sum256([]byte(in))
	sig, err := ecdsa.SignASN1(rand.Reader, priv, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(sig)
}

// flipLowBits returns the base64url character that differs from c only in
// the two bits that are padding in the last character of a 64-byte value.
func flipLowBits(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return string(alphabet[i^1])
}

func TestReasonsAreDistinct(t *testing.T) {
	all := []Reason{ReasonSessionTokenValid, ReasonSessionTokenMissing, ReasonSessionTokenMalformed,
		ReasonAlgNotAllowed, ReasonKidUnknown, ReasonSignatureInvalid, ReasonExpired, ReasonNotActiveYet,
		ReasonIssuerMismatch, ReasonAZPNotAuthorized, ReasonIATBeforeClientUAT, ReasonHandshakeLoop,
		ReasonJWKSUnavailable}
	seen := map[Reason]bool{}
	for _, r := range all {
		if seen[r] || r == "" {
			t.Errorf("reason %q is empty or repeated", r)
		}
		seen[r] = true
		if r.SignedIn() != (r == ReasonSessionTokenValid) {
			t.Errorf("%s.SignedIn() = %v", r, r.SignedIn())
		}
	}
}

func TestVerifyNoLeeway(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.Leeway = -1 })
	now := f.clock.Now()
	tok := sign(t, f.key, with(claimsAt(now), "iat", now.Add(-61*time.Second).Unix(), "exp", now.Add(-time.Second).Unix()))
	if _, r := f.v.Verify(context.Background(), tok); r != ReasonExpired {
		t.Errorf("reason = %s, want %s", r, ReasonExpired)
	}
	tok = sign(t, f.key, with(claimsAt(now), "iat", now.Add(time.Second).Unix()))
	if _, r := f.v.Verify(context.Background(), tok); r != ReasonNotActiveYet {
		t.Errorf("reason = %s, want %s", r, ReasonNotActiveYet)
	}
}

func TestVerifyAnyAZPWithoutAllowList(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.AuthorizedParties = nil })
	tok := sign(t, f.key, with(claimsAt(f.clock.Now()), "azp", "https://elsewhere.example"))
	if _, r := f.v.Verify(context.Background(), tok); r != ReasonSessionTokenValid {
		t.Errorf("reason = %s, want %s", r, ReasonSessionTokenValid)
	}
}

// TestUnknownKidRefetchesOncePerCooldown: an unknown kid refetches the JWKS,
// but a flood of them cannot turn the verifier into a fetch amplifier.
func TestUnknownKidRefetchesOncePerCooldown(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonSessionTokenValid {
		t.Fatalf("reason = %s", r)
	}
	if n := f.jwks.hits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times for the first token, want 1", n)
	}
	// The first fetch was just now: an unknown kid inside the cooldown
	// does not refetch.
	stranger := newSigningKey(t, "kid_stranger")
	if _, r := f.v.Verify(ctx, sign(t, stranger, claimsAt(f.clock.Now()))); r != ReasonKidUnknown {
		t.Fatalf("reason = %s, want %s", r, ReasonKidUnknown)
	}
	if n := f.jwks.hits.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1 (inside the cooldown)", n)
	}

	f.clock.Add(DefaultRefetchCooldown)
	// Concurrent unknown kids after the cooldown: exactly one refetch.
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := newSigningKey(t, fmt.Sprintf("kid_unknown_%d", i))
			if _, r := f.v.Verify(ctx, sign(t, k, claimsAt(f.clock.Now()))); r != ReasonKidUnknown {
				t.Errorf("reason = %s, want %s", r, ReasonKidUnknown)
			}
		}()
	}
	wg.Wait()
	if n := f.jwks.hits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times, want 2 (one refetch)", n)
	}
	f.clock.Add(DefaultRefetchCooldown - time.Second)
	for range 5 {
		f.v.Verify(ctx, sign(t, stranger, claimsAt(f.clock.Now())))
	}
	if n := f.jwks.hits.Load(); n != 2 {
		t.Fatalf("JWKS fetched %d times within the cooldown, want 2", n)
	}
	// Known kids never wait for or cause a fetch.
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonSessionTokenValid {
		t.Fatalf("reason = %s", r)
	}
	f.clock.Add(time.Second)
	f.v.Verify(ctx, sign(t, stranger, claimsAt(f.clock.Now())))
	if n := f.jwks.hits.Load(); n != 3 {
		t.Fatalf("JWKS fetched %d times after the cooldown, want 3", n)
	}
}

// TestRotation: the server starts signing with a key the verifier has not
// seen; the refetch finds it and nobody is signed out.
func TestRotation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonSessionTokenValid {
		t.Fatalf("reason = %s", r)
	}
	next := newSigningKey(t, "kid_next")
	f.jwks.setKeys(f.key, next)
	f.clock.Add(DefaultRefetchCooldown)
	c, r := f.v.Verify(ctx, sign(t, next, claimsAt(f.clock.Now())))
	if r != ReasonSessionTokenValid || c.Subject != testUser {
		t.Fatalf("token of the new key: reason = %s", r)
	}
	// Old tokens still verify: the old key stays published.
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonSessionTokenValid {
		t.Fatalf("token of the old key: reason = %s", r)
	}
	if n := f.jwks.hits.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2", n)
	}
}

// TestPrePublishedKey: the next key is in the set before it signs, so its
// first token needs no fetch at all.
func TestPrePublishedKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	next := newSigningKey(t, "kid_next")
	f.jwks.setKeys(f.key, next)
	ctx := context.Background()
	f.v.Verify(ctx, f.token(t))
	if _, r := f.v.Verify(ctx, sign(t, next, claimsAt(f.clock.Now()))); r != ReasonSessionTokenValid {
		t.Fatalf("reason = %s", r)
	}
	if n := f.jwks.hits.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1", n)
	}
}

func TestJWKSUnavailable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.jwks.setStatus(http.StatusInternalServerError)
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonJWKSUnavailable {
		t.Fatalf("reason = %s, want %s", r, ReasonJWKSUnavailable)
	}
	// A failed fetch is retried after jwksRetryAfterFailure, not before.
	f.jwks.setStatus(http.StatusOK)
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonJWKSUnavailable {
		t.Fatalf("reason = %s, want %s inside the retry delay", r, ReasonJWKSUnavailable)
	}
	f.clock.Add(jwksRetryAfterFailure)
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonSessionTokenValid {
		t.Fatalf("reason = %s after the server recovered", r)
	}
	if n := f.jwks.hits.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2", n)
	}
}

// TestStaleKeysSurviveAnOutage: after the set's maximum age it is
// refetched, and if that fails the known keys keep working.
func TestStaleKeysSurviveAnOutage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.v.Verify(ctx, f.token(t))
	f.jwks.setStatus(http.StatusBadGateway)
	f.clock.Add(jwksMaxAge)
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonSessionTokenValid {
		t.Fatalf("reason = %s, want the stale key to verify", r)
	}
	if n := f.jwks.hits.Load(); n != 2 {
		t.Errorf("JWKS fetched %d times, want 2 (one refetch attempt)", n)
	}
}

// TestWithdrawnKey: after the maximum age, a key the server no longer
// publishes stops verifying new tokens.
func TestWithdrawnKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.v.Verify(ctx, f.token(t))
	f.jwks.setKeys(newSigningKey(t, "kid_replacement"))
	f.clock.Add(jwksMaxAge)
	if _, r := f.v.Verify(ctx, f.token(t)); r != ReasonKidUnknown {
		t.Fatalf("reason = %s, want %s", r, ReasonKidUnknown)
	}
}

func TestJWKSParsing(t *testing.T) {
	k := newSigningKey(t, "kid_good")
	good := k.jwk(t)
	jwk := func(edit ...string) map[string]string {
		m := map[string]string{}
		for key, v := range good {
			m[key] = v
		}
		for i := 0; i < len(edit); i += 2 {
			m[edit[i]] = edit[i+1]
		}
		m["kid"] = "kid_bad"
		return m
	}
	set := map[string]any{"keys": []any{
		map[string]any{"kty": "RSA", "kid": "kid_rsa", "n": "AQAB", "e": "AQAB"},
		jwk("crv", "P-384"),
		jwk("alg", "RS256"),
		jwk("use", "enc"),
		jwk("x", "AAAA"),
		jwk("y", good["x"]), // not on the curve
		"not an object",
		good,
	}}
	keys, err := parseJWKS([]byte(mustJSON(t, set)))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || keys["kid_good"] == nil || !keys["kid_good"].Equal(&k.priv.PublicKey) {
		t.Errorf("keys = %v, want only kid_good", keys)
	}
	for _, bad := range []string{`{"keys":[]}`, `{}`, `[]`, `not json`, mustJSON(t, map[string]any{"keys": []any{jwk("kty", "oct")}})} {
		if _, err := parseJWKS([]byte(bad)); err == nil {
			t.Errorf("parseJWKS(%s) succeeded", bad)
		}
	}
}

func TestPublicKeyPEMIsNetworkless(t *testing.T) {
	t.Parallel()
	k := newSigningKey(t, "kid_whatever")
	clk := &clock{now: t0}
	v, err := NewVerifier(Options{
		PublicKeyPEM: k.publicPEM(t),
		Issuer:       testIssuer,
		Now:          clk.Now,
		HTTPClient:   &http.Client{Transport: noNetwork{t}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, r := v.Verify(ctx, sign(t, k, claimsAt(clk.Now())))
	if r != ReasonSessionTokenValid || c.Subject != testUser {
		t.Fatalf("reason = %s", r)
	}
	// The kid is ignored in PEM mode, but the signature is not.
	renamed := k
	renamed.kid = "kid_other"
	if _, r := v.Verify(ctx, sign(t, renamed, claimsAt(clk.Now()))); r != ReasonSessionTokenValid {
		t.Errorf("other kid: reason = %s", r)
	}
	if _, r := v.Verify(ctx, sign(t, newSigningKey(t, "kid_whatever"), claimsAt(clk.Now()))); r != ReasonSignatureInvalid {
		t.Errorf("other key: reason = %s, want %s", r, ReasonSignatureInvalid)
	}
}

func TestNewVerifierOptions(t *testing.T) {
	k := newSigningKey(t, "kid")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaDER}))
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"jwks", Options{Issuer: testIssuer, JWKSURL: "https://auth.example.com/.well-known/jwks.json"}, ""},
		{"pem", Options{Issuer: testIssuer, PublicKeyPEM: k.publicPEM(t)}, ""},
		{"no issuer", Options{JWKSURL: "https://auth.example.com/.well-known/jwks.json"}, "Issuer is required"},
		{"no key source", Options{Issuer: testIssuer}, "set Options.JWKSURL"},
		{"both key sources", Options{Issuer: testIssuer, JWKSURL: "https://a.example/jwks", PublicKeyPEM: k.publicPEM(t)}, "not both"},
		{"relative jwks url", Options{Issuer: testIssuer, JWKSURL: "/.well-known/jwks.json"}, "absolute"},
		{"ftp jwks url", Options{Issuer: testIssuer, JWKSURL: "ftp://a.example/jwks"}, "absolute"},
		{"pem garbage", Options{Issuer: testIssuer, PublicKeyPEM: "hello"}, "PEM"},
		{"pem rsa", Options{Issuer: testIssuer, PublicKeyPEM: rsaPEM}, "P-256"},
		{"pem private key", Options{Issuer: testIssuer, PublicKeyPEM: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}, "PUBLIC KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(tt.opts)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	tok := f.token(t)
	c1, r := f.v.Verify(ctx, tok)
	if r != ReasonSessionTokenValid {
		t.Fatal(r)
	}
	if f.v.cache.len() != 1 {
		t.Fatalf("cache holds %d tokens, want 1", f.v.cache.len())
	}
	// A hit returns the very same claims, without touching the keys: the
	// JWKS server could be gone.
	f.jwks.setStatus(http.StatusInternalServerError)
	f.clock.Add(30 * time.Second)
	c2, r := f.v.Verify(ctx, tok)
	if r != ReasonSessionTokenValid || c2 != c1 {
		t.Fatalf("second verification: reason %s, same claims %v", r, c2 == c1)
	}
	// A hit still honours exp.
	f.clock.Add(31 * time.Second) // 61 s after iat: within the leeway
	if _, r := f.v.Verify(ctx, tok); r != ReasonSessionTokenValid {
		t.Fatalf("within leeway: %s", r)
	}
	f.clock.Add(4 * time.Second) // exp + 5 s
	if _, r := f.v.Verify(ctx, tok); r != ReasonExpired {
		t.Fatalf("after exp: reason = %s, want %s", r, ReasonExpired)
	}
	if f.v.cache.len() != 0 {
		t.Errorf("expired entry kept: cache holds %d", f.v.cache.len())
	}
	// A clock that jumps back before nbf - leeway misses the cache too.
	f.clock.Add(-2 * time.Minute)
	f.jwks.setStatus(http.StatusOK)
	tok2 := f.token(t)
	f.v.Verify(ctx, tok2)
	f.clock.Add(-time.Minute)
	if _, r := f.v.Verify(ctx, tok2); r != ReasonNotActiveYet {
		t.Errorf("before nbf: reason = %s, want %s", r, ReasonNotActiveYet)
	}
}

func TestCacheIsBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.CacheSize = 64 })
	ctx := context.Background()
	for i := range 300 {
		tok := sign(t, f.key, with(claimsAt(f.clock.Now()), "jti", fmt.Sprint(i)))
		if _, r := f.v.Verify(ctx, tok); r != ReasonSessionTokenValid {
			t.Fatal(r)
		}
	}
	if n := f.v.cache.len(); n > 64 || n < 32 {
		t.Errorf("cache holds %d tokens, want between 32 and 64", n)
	}
	// Expired entries go first when a shard is full: new tokens never
	// evict each other while an expired one is left.
	f.clock.Add(time.Hour)
	added := map[*cacheShard]int{}
	for i := range 64 {
		tok := sign(t, f.key, with(claimsAt(f.clock.Now()), "jti", fmt.Sprint("late", i)))
		if _, r := f.v.Verify(ctx, tok); r != ReasonSessionTokenValid {
			t.Fatal(r)
		}
		added[f.v.cache.shard(tok)]++
	}
	now := f.clock.Now().UnixNano()
	for s, n := range added {
		live := 0
		for _, e := range s.m {
			if now < e.until {
				live++
			}
		}
		if want := min(n, f.v.cache.perShard); live != want {
			t.Errorf("shard got %d new tokens and holds %d live ones, want %d", n, live, want)
		}
	}
}

func TestCacheDisabled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.CacheSize = -1 })
	tok := f.token(t)
	for range 2 {
		if _, r := f.v.Verify(context.Background(), tok); r != ReasonSessionTokenValid {
			t.Fatal(r)
		}
	}
	if f.v.cache != nil {
		t.Error("cache exists")
	}
}

// TestCanceledCallerDoesNotPoisonTheFetch: a caller that gives up while the
// JWKS is being fetched gets jwks-unavailable, and the fetch still
// completes for everyone else.
func TestCanceledCallerDoesNotPoisonTheFetch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gate := make(chan struct{})
	f.jwks.mu.Lock()
	f.jwks.delay = gate
	f.jwks.mu.Unlock()
	tok := f.token(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Reason)
	go func() {
		_, r := f.v.Verify(context.Background(), tok)
		done <- r
	}()
	// Wait until the first caller's fetch is in flight, then cancel a second.
	for f.jwks.hits.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	go func() {
		time.Sleep(10 * time.Millisecond)
		cancel()
	}()
	if _, r := f.v.Verify(ctx, tok); r != ReasonJWKSUnavailable {
		t.Errorf("canceled caller: reason = %s, want %s", r, ReasonJWKSUnavailable)
	}
	close(gate)
	if r := <-done; r != ReasonSessionTokenValid {
		t.Errorf("waiting caller: reason = %s", r)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
