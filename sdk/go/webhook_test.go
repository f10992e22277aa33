package latchkey

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The Standard Webhooks specification's published test vector.
const (
	vectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS     = "1614265330"
	vectorBody   = `{"test": 2432232314}`
	vectorSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func vectorHeaders(sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", vectorID)
	h.Set("webhook-timestamp", vectorTS)
	h.Set("webhook-signature", sig)
	return h
}

func TestVerifyWebhookSpecVector(t *testing.T) {
	t.Parallel()
	at := time.Unix(1614265330, 0)
	cases := []struct {
		name   string
		secret string
		header http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"the vector", vectorSecret, vectorHeaders(vectorSig), vectorBody, at, nil},
		{"rotation: one of several signatures", vectorSecret, vectorHeaders("v1,AAAA v2,xyz " + vectorSig), vectorBody, at, nil},
		{"within tolerance", vectorSecret, vectorHeaders(vectorSig), vectorBody, at.Add(4 * time.Minute), nil},
		{"changed body", vectorSecret, vectorHeaders(vectorSig), vectorBody + " ", at, ErrWebhookSignature},
		{"another secret", "whsec_" + "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0", vectorHeaders(vectorSig), vectorBody, at, ErrWebhookSignature},
		{"only other versions", vectorSecret, vectorHeaders("v2," + strings.TrimPrefix(vectorSig, "v1,")), vectorBody, at, ErrWebhookSignature},
		{"replayed later", vectorSecret, vectorHeaders(vectorSig), vectorBody, at.Add(6 * time.Minute), ErrWebhookTimestamp},
		{"from the future", vectorSecret, vectorHeaders(vectorSig), vectorBody, at.Add(-6 * time.Minute), ErrWebhookTimestamp},
		{"no signature", vectorSecret, vectorHeaders(""), vectorBody, at, ErrWebhookHeaders},
		{"not a whsec secret", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", vectorHeaders(vectorSig), vectorBody, at, ErrWebhookSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := verifyWebhook([]string{c.secret}, c.header, []byte(c.body), c.now); !errors.Is(err, c.want) {
				t.Fatalf("verify = %v, want %v", err, c.want)
			}
		})
	}
	h := vectorHeaders(vectorSig)
	h.Set("webhook-timestamp", "+1614265330")
	if err := verifyWebhook([]string{vectorSecret}, h, []byte(vectorBody), at); !errors.Is(err, ErrWebhookHeaders) {
		t.Errorf("signed timestamp: %v", err)
	}
	// A receiver rotating on its side passes several secrets: any one that
	// made a signature verifies; a malformed one is a configuration error.
	other := "whsec_" + "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
	if err := verifyWebhook([]string{other, vectorSecret}, vectorHeaders(vectorSig), []byte(vectorBody), at); err != nil {
		t.Errorf("second of two secrets: %v", err)
	}
	if err := verifyWebhook([]string{other, other}, vectorHeaders(vectorSig), []byte(vectorBody), at); !errors.Is(err, ErrWebhookSignature) {
		t.Errorf("neither secret: %v", err)
	}
	if err := verifyWebhook([]string{vectorSecret, "nope"}, vectorHeaders(vectorSig), []byte(vectorBody), at); !errors.Is(err, ErrWebhookSecret) {
		t.Errorf("a malformed second secret: %v", err)
	}
}

// TestVerifyWebhookRequest: the request form reads and returns the body,
// and refuses a stale delivery (the vector is from 2021).
func TestVerifyWebhookRequest(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("POST", "/webhooks/latchkey", strings.NewReader(vectorBody))
	r.Header = vectorHeaders(vectorSig)
	if _, err := VerifyWebhook(r, vectorSecret); !errors.Is(err, ErrWebhookTimestamp) {
		t.Fatalf("a 2021 delivery verified now: %v", err)
	}
	big := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("x", maxWebhookBody+1)))
	big.Header = vectorHeaders(vectorSig)
	if _, err := VerifyWebhook(big, vectorSecret); err == nil {
		t.Fatal("an oversized body verified")
	}
}

func FuzzVerifyWebhook(f *testing.F) {
	f.Add(vectorSecret, vectorID, vectorTS, vectorSig, vectorBody)
	f.Add("whsec_", "", "-1", "v1,", "")
	f.Fuzz(func(t *testing.T, secret, id, ts, sig, body string) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", ts)
		h.Set("webhook-signature", sig)
		_ = verifyWebhook([]string{secret}, h, []byte(body), time.Unix(1614265330, 0))
	})
}
