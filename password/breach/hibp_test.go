package breach

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"time"
)

// SHA-1 digests computed independently (sha1sum), split as the range API
// splits them.
const (
	passwordPrefix = "5BAA6" // SHA-1("password")
	passwordSuffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8"
	pAssPrefix     = "21BD1" // SHA-1("P@ssw0rd")
	pAssSuffix     = "2DC183F740EE76F27B78EB39C8AD972A757"
)

// rangeServer is a Pwned Passwords range endpoint on loopback. It answers
// from counts (full upper-case digest -> count), pads every answer with
// count-0 decoys as Add-Padding asks, and records each request as sent.
type rangeServer struct {
	*httptest.Server
	counts  map[string]int
	padding []string // extra lines for every answer
	mu      sync.Mutex
	reqs    []string // dumped requests, headers and body
	paths   []string
}

func newRangeServer(t *testing.T, counts map[string]int, padding ...string) *rangeServer {
	t.Helper()
	rs := &rangeServer{counts: counts, padding: padding}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, _ := httputil.DumpRequest(r, true)
		rs.mu.Lock()
		rs.reqs = append(rs.reqs, string(dump))
		rs.paths = append(rs.paths, r.URL.Path)
		rs.mu.Unlock()
		prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
		if !ok || len(prefix) != 5 || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Add-Padding") != "true" {
			t.Errorf("request without Add-Padding: true")
		}
		var lines []string
		for digest, n := range rs.counts {
			if s, ok := strings.CutPrefix(digest, prefix); ok {
				lines = append(lines, fmt.Sprintf("%s:%d", s, n))
			}
		}
		lines = append(lines, rs.padding...)
		// Decoys, as the real service adds; never a real suffix.
		for i := range 3 {
			lines = append(lines, fmt.Sprintf("%035X:0", i+1))
		}
		fmt.Fprint(w, strings.Join(lines, "\r\n"))
	}))
	t.Cleanup(rs.Close)
	return rs
}

func TestHIBPPwned(t *testing.T) {
	t.Parallel()
	rs := newRangeServer(t, map[string]int{
		passwordPrefix + passwordSuffix: 9_545_824,
		// Another suffix under the same prefix, in lower case: the
		// comparison must look at the whole suffix, in any case.
		passwordPrefix + "1e4c9b93f3f0682250b6cf8331b7ee68fd9": 3,
		pAssPrefix + pAssSuffix:                                52_256,
	})
	h := &HIBP{BaseURL: rs.URL + "/"}
	tests := []struct {
		pw   string
		want int
	}{
		{"password", 9_545_824},
		{"P@ssw0rd", 52_256},
		{"p@ssw0rd", 0}, // the API is exact; case folding is for the embedded list
		{"correct horse battery staple", 0},
	}
	for _, tt := range tests {
		got, err := h.Pwned(context.Background(), tt.pw)
		if err != nil || got != tt.want {
			t.Errorf("Pwned(%q) = %d, %v; want %d, nil", tt.pw, got, err, tt.want)
		}
	}

	// Only ever the 5-character prefix: never the password, the rest of
	// the digest, or the digest in any case.
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.reqs) != len(tests) {
		t.Fatalf("server saw %d requests, want %d", len(rs.reqs), len(tests))
	}
	for i, p := range rs.paths {
		prefix, ok := strings.CutPrefix(p, "/range/")
		if !ok || len(prefix) != 5 || !isHex(prefix) || strings.ToUpper(prefix) != prefix {
			t.Errorf("request %d path %q, want /range/ and 5 upper-case hex digits", i, p)
		}
	}
	for i, dump := range rs.reqs {
		lower := strings.ToLower(dump)
		for _, secret := range []string{"password", "p@ssw0rd", "correct horse", "correct+horse", "correct%20horse",
			strings.ToLower(passwordSuffix), strings.ToLower(pAssSuffix), strings.ToLower(passwordSuffix[:10])} {
			if strings.Contains(lower, secret) {
				t.Errorf("request %d carries %q:\n%s", i, secret, dump)
			}
		}
	}
	if rs.paths[0] != "/range/"+passwordPrefix || rs.paths[1] != "/range/"+pAssPrefix {
		t.Errorf("paths %q, want the SHA-1 prefixes %s and %s", rs.paths[:2], passwordPrefix, pAssPrefix)
	}
}

func TestHIBPIgnoresPadding(t *testing.T) {
	t.Parallel()
	// The password's own suffix appears only as a count-0 padding entry.
	rs := newRangeServer(t, nil, passwordSuffix+":0", "0000000000000000000000000000000000A:0")
	got, err := (&HIBP{BaseURL: rs.URL}).Pwned(context.Background(), "password")
	if err != nil || got != 0 {
		t.Errorf("Pwned = %d, %v; want 0, nil (padding is not a breach)", got, err)
	}
}

func TestHIBPErrors(t *testing.T) {
	t.Parallel()
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) }
	}
	body := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, s) }
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		timeout time.Duration
		is      error
	}{
		{"rate limited", status(http.StatusTooManyRequests), 0, nil},
		{"server error", status(http.StatusServiceUnavailable), 0, nil},
		{"not found", status(http.StatusNotFound), 0, nil},
		{"html instead of ranges", body("<html>hello</html>"), 0, nil},
		{"bad count", body(passwordSuffix + ":lots\r\n"), 0, nil},
		{"short suffix", body("1E4C9:12\r\n"), 0, nil},
		{"empty body", body(""), 0, nil},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, 50 * time.Millisecond, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			start := time.Now()
			n, err := (&HIBP{BaseURL: srv.URL, Timeout: tt.timeout}).Pwned(context.Background(), "password")
			if err == nil || n != 0 {
				t.Fatalf("Pwned = %d, %v; want 0 and an error", n, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v, want one wrapping %v", err, tt.is)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Pwned took %v, want it bounded by the timeout", d)
			}
			if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(passwordSuffix)) {
				t.Errorf("error %q carries the digest suffix", err)
			}
		})
	}
}

func TestHIBPRequiresBaseURL(t *testing.T) {
	t.Parallel()
	_, err := (&HIBP{}).Pwned(context.Background(), "password")
	if !errors.Is(err, ErrNoBaseURL) || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("Pwned with no BaseURL: %v, want ErrNoBaseURL", err)
	}
}

func TestHIBPHonoursCallerContext(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&HIBP{BaseURL: srv.URL}).Pwned(ctx, "password"); !errors.Is(err, context.Canceled) {
		t.Errorf("Pwned with a cancelled context: %v, want context.Canceled", err)
	}
}
