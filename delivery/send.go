package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/webhook"
	"github.com/latchkeyhq/latchkey/wire"
)

// ResponseSnippet is how much of a response body an attempt records.
const ResponseSnippet = 1024

// drainLimit bounds how much of a response body is read (and discarded) so
// the connection can be reused.
const drainLimit = 64 << 10

// userAgent identifies Latchkey to receivers.
var userAgent = "Latchkey-Webhooks/" + latchkey.Version

// send makes one attempt: it POSTs body, signed with the endpoint's active
// secrets, and returns the attempt as it should be recorded.
func (d *Dispatcher) send(ctx context.Context, ep *latchkey.WebhookEndpoint, eventID, eventType string, body []byte, n int) *latchkey.WebhookAttempt {
	a := d.request(ctx, ep, eventID, eventType, body, n)
	outcome := "failed"
	if a.Succeeded {
		outcome = "succeeded"
	}
	d.metrics.attempts.WithLabelValues(outcome).Inc()
	d.metrics.latency.Observe(a.Latency.Seconds())
	return a
}

// request makes the HTTP request of one attempt.
func (d *Dispatcher) request(ctx context.Context, ep *latchkey.WebhookEndpoint, eventID, eventType string, body []byte, n int) *latchkey.WebhookAttempt {
	now := d.now()
	a := &latchkey.WebhookAttempt{ID: latchkey.NewID(latchkey.PrefixWebhookAttempt), EndpointID: ep.ID,
		EventID: eventID, EventType: eventType, Attempt: n, CreatedAt: now}
	signed, err := webhook.Headers(eventID, now, body, ep.ActiveSecrets(now)...)
	if err != nil {
		a.Error = "cannot sign the request: " + err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		a.Error = "the endpoint URL is not valid"
		return a
	}
	for k, v := range ep.Headers {
		req.Header.Set(k, v)
	}
	for k, v := range signed {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	start := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		a.Latency = time.Since(start)
		a.Error = describe(err)
		return a
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, ResponseSnippet))
	io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	resp.Body.Close()
	a.Latency = time.Since(start)
	a.StatusCode, a.Response = resp.StatusCode, cleanText(snippet)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		a.Succeeded = true
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		a.Error = fmt.Sprintf("HTTP %d: redirects are not followed; point the endpoint at the final URL", resp.StatusCode)
	default:
		a.Error = fmt.Sprintf("HTTP %d", resp.StatusCode)
	}
	return a
}

// describe turns a transport error into a line for the delivery log,
// without the URL (its query may carry a credential).
func describe(err error) string {
	var blocked *netguard.BlockedError
	if errors.As(err, &blocked) {
		return "refused by the SSRF guard: " + string(blocked.Class) + " address"
	}
	var scheme *netguard.SchemeError
	if errors.As(err, &scheme) {
		return "refused: the URL must use https (plain http is allowed only in dev mode or with LATCHKEY_WEBHOOKS_ALLOW=http)"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Sprintf("no response within %s", netguard.ClientTimeout)
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled before the endpoint answered"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return truncate(err.Error(), 300)
}

// cleanText makes a response body storable and readable: valid UTF-8
// without NUL bytes, at most ResponseSnippet bytes.
func cleanText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	return truncate(s, ResponseSnippet)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Body returns the JSON body delivered for e: the same object the event
// feed lists.
func Body(e *latchkey.Event, instanceID string) ([]byte, error) {
	return json.Marshal(wire.NewEvent(e, instanceID))
}
