package latchkey

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookTolerance is how far a webhook's timestamp may be from this
// server's clock (replay protection, per the Standard Webhooks spec).
const WebhookTolerance = 5 * time.Minute

// maxWebhookBody bounds the body VerifyWebhook reads.
const maxWebhookBody = 1 << 20

// Errors of VerifyWebhook, for errors.Is.
var (
	ErrWebhookHeaders   = errors.New("latchkey: webhook-id, webhook-timestamp or webhook-signature missing or malformed")
	ErrWebhookTimestamp = errors.New("latchkey: webhook timestamp outside the tolerance (replayed, or a clock problem)")
	ErrWebhookSignature = errors.New("latchkey: no webhook signature matches the secret")
	ErrWebhookSecret    = errors.New("latchkey: the webhook secret is not a whsec_ secret")
)

// VerifyWebhook checks a webhook request from Latchkey per the Standard
// Webhooks specification and returns its body: the webhook-signature header
// must hold a "v1,<base64 HMAC-SHA256 of id.timestamp.body>" made with the
// endpoint's secret ("whsec_..."), and webhook-timestamp must be within
// WebhookTolerance of now. During a secret rotation Latchkey signs with both
// secrets, so either verifies; more secrets (a receiver rotating on its own
// side) may follow the first, and a signature made with any one verifies.
// The body is read (at most 1 MiB) and returned for decoding; deliveries are
// at least once, so use webhook-id to drop duplicates.
func VerifyWebhook(r *http.Request, secret string, more ...string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("latchkey: read webhook body: %w", err)
	}
	if len(body) > maxWebhookBody {
		return nil, fmt.Errorf("latchkey: webhook body larger than %d bytes", maxWebhookBody)
	}
	if err := verifyWebhook(append([]string{secret}, more...), r.Header, body, time.Now()); err != nil {
		return nil, err
	}
	return body, nil
}

func verifyWebhook(secrets []string, h http.Header, body []byte, now time.Time) error {
	keys := make([][]byte, 0, len(secrets))
	for _, secret := range secrets {
		key, err := webhookKey(secret)
		if err != nil {
			return err
		}
		keys = append(keys, key)
	}
	id, ts, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), strings.Join(h.Values("webhook-signature"), " ")
	if id == "" || ts == "" || sigs == "" || len(ts) > 12 {
		return ErrWebhookHeaders
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < 0 || ts[0] == '+' {
		return ErrWebhookHeaders
	}
	if d := now.Sub(time.Unix(sec, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return ErrWebhookTimestamp
	}
	for _, key := range keys {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + ts + "."))
		mac.Write(body)
		want := mac.Sum(nil)
		for _, s := range strings.Fields(sigs) {
			version, value, ok := strings.Cut(s, ",")
			if !ok || version != "v1" {
				continue // other schemes are ignored, as the spec says
			}
			got, err := base64.StdEncoding.DecodeString(value)
			if err == nil && hmac.Equal(got, want) {
				return nil
			}
		}
	}
	return ErrWebhookSignature
}

func webhookKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return nil, ErrWebhookSecret
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(bytes.TrimSpace(key)) == 0 {
		return nil, ErrWebhookSecret
	}
	return key, nil
}
