package web

import (
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestCookieDomain checks the subdomain topology: with a cookie domain the
// app-readable cookies go to the parent domain, while the client credential
// never leaves Latchkey's own host.
func TestCookieDomain(t *testing.T) {
	r := httptest.NewRequest("GET", "https://auth.example.com/v1/client", nil)
	for _, tt := range []struct {
		domain               string
		client, session, uat string
	}{
		{"", "", "", ""},
		{"example.com", "", "example.com", "example.com"},
	} {
		s := &Server{cookieDomain: tt.domain, public: &url.URL{Scheme: "https", Host: "auth.example.com"}}
		got := []string{s.cookie(r, cookieClient, "x", 0, true).Domain, s.cookie(r, cookieSession, "x", 0, true).Domain,
			s.cookie(r, cookieUAT, "1", 0, false).Domain}
		want := []string{tt.client, tt.session, tt.uat}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("cookie domain %q: cookie %d has Domain %q, want %q", tt.domain, i, got[i], want[i])
			}
		}
		if c := s.cookie(r, cookieClient, "x", 0, true); !c.HttpOnly || !c.Secure {
			t.Errorf("client cookie lost HttpOnly/Secure: %+v", c)
		}
	}
}
