package webhook

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The specification repository's published vector: the same secret, message
// id, timestamp, payload and expected signature appear in the test files of
// its JavaScript, Python and Ruby libraries ("sign function works").
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorPayload   = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	got, err := Sign(vectorSecret, vectorMsgID, time.Unix(vectorTimestamp, 0), []byte(vectorPayload))
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorSignature {
		t.Fatalf("Sign = %q, want the specification's %q", got, vectorSignature)
	}
	h := http.Header{}
	h.Set(HeaderID, vectorMsgID)
	h.Set(HeaderTimestamp, strconv.Itoa(vectorTimestamp))
	h.Set(HeaderSignature, vectorSignature)
	if err := Verify([]string{vectorSecret}, h, []byte(vectorPayload), time.Unix(vectorTimestamp+10, 0)); err != nil {
		t.Fatalf("Verify refused the specification's vector: %v", err)
	}
}

func TestNewSecret(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	key, err := ParseSecret(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != SecretSize || !strings.HasPrefix(a, "whsec_") {
		t.Fatalf("secret %q has %d bytes", a, len(key))
	}
}

func TestParseSecretErrors(t *testing.T) {
	tests := []struct {
		name, secret string
		code         latchkey.Code
	}{
		{"empty", "", latchkey.CodeFormParamInvalid},
		{"no prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", latchkey.CodeFormParamInvalid},
		{"other prefix", "sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", latchkey.CodeFormParamInvalid},
		{"not base64", "whsec_not*base64!", latchkey.CodeFormParamInvalid},
		{"url-safe alphabet", "whsec_" + strings.Repeat("-_", 16), latchkey.CodeFormParamInvalid},
		{"missing padding", "whsec_" + strings.Repeat("A", 43), latchkey.CodeFormParamInvalid},
		{"line break", "whsec_MfKQ9r8GKYqrTwjU\nPD8ILPZIo2LaLaSw", latchkey.CodeFormParamInvalid},
		{"prefix only", "whsec_", latchkey.CodeFormParamValue},
		{"too short", "whsec_" + strings.Repeat("A", 28), latchkey.CodeFormParamValue}, // 21 bytes
		{"too long", "whsec_" + strings.Repeat("A", 88), latchkey.CodeFormParamValue},  // 66 bytes
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSecret(tt.secret)
			var le *latchkey.Error
			if !errors.As(err, &le) || le.Code != tt.code || le.Param != "secret" {
				t.Fatalf("ParseSecret = %v, want %s on param secret", err, tt.code)
			}
			if len(tt.secret) > len("whsec_") && strings.Contains(err.Error(), tt.secret[len("whsec_"):]) {
				t.Fatalf("error %q repeats the secret", err)
			}
			if _, err := Sign(tt.secret, "msg_1", time.Now(), nil); latchkey.ErrorCode(err) != tt.code {
				t.Fatalf("Sign = %v, want %s", err, tt.code)
			}
		})
	}
	// The bounds themselves are accepted.
	for _, n := range []int{MinSecretSize, MaxSecretSize} {
		s := SecretPrefix + strings.Repeat("A", n/3*4)
		if _, err := ParseSecret(s); err != nil {
			t.Errorf("%d-byte secret: %v", n, err)
		}
	}
}

func headers(t *testing.T, msgID string, ts time.Time, body []byte, secrets ...string) http.Header {
	t.Helper()
	h, err := Headers(msgID, ts, body, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHeadersRotation(t *testing.T) {
	oldSecret, newSecret, other := NewSecret(), NewSecret(), NewSecret()
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"type":"user.created"}`)
	h := headers(t, "evt_1", ts, body, newSecret, oldSecret)
	if h.Get(HeaderID) != "evt_1" || h.Get(HeaderTimestamp) != "1700000000" {
		t.Fatalf("headers %v", h)
	}
	sigs := strings.Split(h.Get(HeaderSignature), " ")
	if len(sigs) != 2 {
		t.Fatalf("webhook-signature %q: want two signatures", h.Get(HeaderSignature))
	}
	for i, s := range []string{newSecret, oldSecret} {
		want, _ := Sign(s, "evt_1", ts, body)
		if sigs[i] != want {
			t.Errorf("signature %d = %q, want %q", i, sigs[i], want)
		}
	}
	// A receiver holding either secret, or both, verifies; one holding
	// neither does not.
	for name, secrets := range map[string][]string{"new": {newSecret}, "old": {oldSecret}, "both": {other, oldSecret}} {
		if err := Verify(secrets, h, body, ts); err != nil {
			t.Errorf("receiver with the %s secret: %v", name, err)
		}
	}
	if err := Verify([]string{other}, h, body, ts); !errors.Is(err, ErrNoMatchingSignature) {
		t.Errorf("receiver with another secret: %v", err)
	}
	if _, err := Headers("evt_1", ts, body); latchkey.ErrorCode(err) != latchkey.CodeFormParamMissing {
		t.Errorf("Headers with no secret: %v", err)
	}
	if _, err := Headers("", ts, body, newSecret); latchkey.ErrorCode(err) != latchkey.CodeFormParamMissing {
		t.Errorf("Headers with no id: %v", err)
	}
	if _, err := Headers("evt_1", ts, body, newSecret, "whsec_bad"); latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
		t.Errorf("Headers with a malformed secret: %v", err)
	}
}

func TestVerify(t *testing.T) {
	secret := NewSecret()
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"type":"user.created","data":{"id":"user_1"}}`)
	good, _ := Sign(secret, "evt_1", ts, body)
	base := func() http.Header { return headers(t, "evt_1", ts, body, secret) }
	tests := []struct {
		name   string
		header func() http.Header
		body   []byte
		now    time.Time
		err    error         // compared with errors.Is, when set
		code   latchkey.Code // otherwise the code, "" for success
		param  string
	}{
		{name: "valid", header: base, now: ts},
		{name: "at the past tolerance", header: base, now: ts.Add(Tolerance)},
		{name: "at the future tolerance", header: base, now: ts.Add(-Tolerance)},
		{name: "too old", header: base, now: ts.Add(Tolerance + time.Second), err: ErrTimestampTooOld},
		{name: "too new", header: base, now: ts.Add(-Tolerance - time.Second), err: ErrTimestampTooNew},
		{name: "body changed", header: base, body: []byte(`{"type":"user.deleted","data":{"id":"user_1"}}`), now: ts, err: ErrNoMatchingSignature},
		{name: "id changed", header: func() http.Header { h := base(); h.Set(HeaderID, "evt_2"); return h }, now: ts, err: ErrNoMatchingSignature},
		{name: "timestamp changed", header: func() http.Header { h := base(); h.Set(HeaderTimestamp, "1700000001"); return h }, now: ts, err: ErrNoMatchingSignature},
		{name: "unknown versions ignored", header: func() http.Header {
			h := base()
			h.Set(HeaderSignature, "v1a,"+good[3:]+" v2,abc "+good+" junk")
			return h
		}, now: ts},
		{name: "only unknown versions", header: func() http.Header {
			h := base()
			h.Set(HeaderSignature, "v1a,"+good[3:]+" v2,"+good[3:])
			return h
		}, now: ts, err: ErrNoMatchingSignature},
		{name: "several v1, last matches", header: func() http.Header {
			h := base()
			h.Set(HeaderSignature, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "+good)
			return h
		}, now: ts},
		{name: "signature on a second header line", header: func() http.Header {
			h := base()
			h.Set(HeaderSignature, "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
			h.Add(HeaderSignature, good)
			return h
		}, now: ts},
		{name: "truncated signature", header: func() http.Header { h := base(); h.Set(HeaderSignature, good[:len(good)-2]); return h }, now: ts, err: ErrNoMatchingSignature},
		{name: "version without comma", header: func() http.Header { h := base(); h.Set(HeaderSignature, "v1"+good[3:]); return h }, now: ts, err: ErrNoMatchingSignature},
		{name: "missing id", header: func() http.Header { h := base(); h.Del(HeaderID); return h }, now: ts, code: latchkey.CodeFormParamMissing, param: HeaderID},
		{name: "missing timestamp", header: func() http.Header { h := base(); h.Del(HeaderTimestamp); return h }, now: ts, code: latchkey.CodeFormParamMissing, param: HeaderTimestamp},
		{name: "missing signature", header: func() http.Header { h := base(); h.Del(HeaderSignature); return h }, now: ts, code: latchkey.CodeFormParamMissing, param: HeaderSignature},
		{name: "blank signature", header: func() http.Header { h := base(); h.Set(HeaderSignature, "  "); return h }, now: ts, code: latchkey.CodeFormParamMissing, param: HeaderSignature},
		{name: "timestamp in milliseconds", header: func() http.Header { h := base(); h.Set(HeaderTimestamp, "1700000000000"); return h }, now: ts, code: latchkey.CodeFormParamInvalid, param: HeaderTimestamp},
		{name: "negative timestamp", header: func() http.Header { h := base(); h.Set(HeaderTimestamp, "-1700000000"); return h }, now: ts, code: latchkey.CodeFormParamInvalid, param: HeaderTimestamp},
		{name: "signed timestamp", header: func() http.Header { h := base(); h.Set(HeaderTimestamp, "+1700000000"); return h }, now: ts, code: latchkey.CodeFormParamInvalid, param: HeaderTimestamp},
		{name: "RFC 3339 timestamp", header: func() http.Header { h := base(); h.Set(HeaderTimestamp, ts.UTC().Format(time.RFC3339)); return h }, now: ts, code: latchkey.CodeFormParamInvalid, param: HeaderTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := body
			if tt.body != nil {
				b = tt.body
			}
			err := Verify([]string{secret}, tt.header(), b, tt.now)
			switch {
			case tt.err != nil:
				if !errors.Is(err, tt.err) {
					t.Fatalf("Verify = %v, want %v", err, tt.err)
				}
			case tt.code == "":
				if err != nil {
					t.Fatalf("Verify = %v, want success", err)
				}
			default:
				var le *latchkey.Error
				if !errors.As(err, &le) || le.Code != tt.code || le.Param != tt.param {
					t.Fatalf("Verify = %v, want %s on %s", err, tt.code, tt.param)
				}
			}
			if err != nil && (strings.Contains(err.Error(), secret[6:]) || strings.Contains(err.Error(), good[3:])) {
				t.Fatalf("error %q repeats the secret or the signature", err)
			}
		})
	}
	if err := Verify(nil, base(), body, ts); latchkey.ErrorCode(err) != latchkey.CodeFormParamMissing {
		t.Errorf("Verify with no secret: %v", err)
	}
	if err := Verify([]string{secret, "whsec_???"}, base(), body, ts); latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
		t.Errorf("Verify with a malformed secret: %v", err)
	}
}

// TestReferenceLibrary checks interoperability both ways with the Go library
// of the Standard Webhooks repository, an implementation independent of ours.
func TestReferenceLibrary(t *testing.T) {
	oldSecret, newSecret := NewSecret(), NewSecret()
	body := []byte(`{"object":"event","id":"evt_1","type":"user.created","data":{"id":"user_1","name":"Zoë"}}`)
	now := time.Now()

	// The reference library verifies what we send, with either secret of a rotation.
	h := headers(t, "evt_1", now, body, newSecret, oldSecret)
	for name, s := range map[string]string{"new": newSecret, "old": oldSecret} {
		ref, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := ref.Verify(body, h); err != nil {
			t.Errorf("reference library refused our signature (%s secret): %v", name, err)
		}
		if err := ref.Verify(append([]byte(nil), append(body, ' ')...), h); err == nil {
			t.Errorf("reference library accepted a changed body (%s secret)", name)
		}
	}
	ref, _ := standardwebhooks.NewWebhook(NewSecret())
	if err := ref.Verify(body, h); err == nil {
		t.Error("reference library accepted our signature under another secret")
	}

	// We verify what the reference library signs, and agree on the signature.
	ref, _ = standardwebhooks.NewWebhook(newSecret)
	sig, err := ref.Sign("msg_2", now, body)
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := Sign(newSecret, "msg_2", now, body)
	if sig != ours {
		t.Fatalf("reference signature %q, ours %q", sig, ours)
	}
	rh := http.Header{}
	rh.Set(standardwebhooks.HeaderWebhookID, "msg_2")
	rh.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	rh.Set(standardwebhooks.HeaderWebhookSignature, sig)
	if err := Verify([]string{oldSecret, newSecret}, rh, body, now); err != nil {
		t.Fatalf("we refused the reference library's signature: %v", err)
	}
	if err := Verify([]string{oldSecret}, rh, body, now); !errors.Is(err, ErrNoMatchingSignature) {
		t.Fatalf("we accepted the reference signature under the wrong secret: %v", err)
	}
}
