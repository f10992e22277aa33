package breach

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// HIBP checks passwords against a Have I Been Pwned compatible Pwned
// Passwords range API with its k-anonymity protocol: the request carries only
// the first 5 hex digits of the password's SHA-1, so the service learns
// neither the password nor its hash, and the answer (every known suffix under
// that prefix, padded with decoys) is matched here.
//
// Callers should fail open: an error means the service could not be asked,
// not that the password is unsafe.
type HIBP struct {
	// BaseURL is the API root that "/range/{prefix}" is appended to. It is
	// required: nothing here names a host, so an instance sends nothing
	// until its operator configures one.
	BaseURL string
	// Client sends the request; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds the whole request; zero means DefaultHIBPTimeout.
	Timeout time.Duration
}

// DefaultHIBPTimeout is the request timeout when HIBP.Timeout is zero: short,
// because the check runs while a person waits on a sign-up form.
const DefaultHIBPTimeout = 2 * time.Second

// ErrNoBaseURL is returned by Pwned when HIBP.BaseURL is empty.
var ErrNoBaseURL = errors.New("breach: the breach-check API base URL is not configured; set it to the root of a Pwned Passwords range API")

// maxRangeBody bounds the response read: a real padded answer is 30–40 KB.
const maxRangeBody = 1 << 20

// Pwned returns how many times pw appears in the breaches the service knows
// of, 0 if none. Padding entries (count 0) are ignored.
func (h *HIBP) Pwned(ctx context.Context, pw string) (int, error) {
	if h.BaseURL == "" {
		return 0, ErrNoBaseURL
	}
	sum := sha1.Sum([]byte(pw))
	digest := strings.ToUpper(hex.EncodeToString(sum[:]))
	prefix, suffix := digest[:5], digest[5:]

	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultHIBPTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(h.BaseURL, "/")+"/range/"+prefix, nil)
	if err != nil {
		return 0, fmt.Errorf("breach: range request: %w", err)
	}
	// Padding makes every answer about the same size, so an observer of the
	// encrypted response cannot narrow down the prefix's bucket either.
	req.Header.Set("Add-Padding", "true")
	req.Header.Set("User-Agent", "latchkey")
	client := h.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("breach: range request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("breach: range request: status %d", resp.StatusCode)
	}
	count, err := findSuffix(io.LimitReader(resp.Body, maxRangeBody), suffix)
	if err != nil {
		return 0, fmt.Errorf("breach: range response: %w", err)
	}
	return count, nil
}

// findSuffix scans "SUFFIX:COUNT" lines for suffix. A malformed line is an
// error rather than skipped, so a wrong endpoint is not taken for "not
// breached".
func findSuffix(r io.Reader, suffix string) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		n++
		s, c, ok := strings.Cut(line, ":")
		if !ok || len(s) != len(suffix) || !isHex(s) {
			return 0, fmt.Errorf("line %d is not SUFFIX:COUNT", n)
		}
		count, err := strconv.Atoi(c)
		if err != nil || count < 0 {
			return 0, fmt.Errorf("line %d has a bad count", n)
		}
		if count > 0 && strings.EqualFold(s, suffix) {
			return count, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, errors.New("empty")
	}
	return 0, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
