package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// handshake opens GET /v1/client/handshake as SDK middleware sends a
// browser there: a top-level navigation (no Origin header).
func (b *browser) handshake(redirectURL string) *response {
	b.t.Helper()
	path := "/v1/client/handshake"
	if redirectURL != "" {
		path += "?redirect_url=" + url.QueryEscape(redirectURL)
	}
	return b.do("GET", path, nil, "Origin", "", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "document")
}

// handshakeTarget checks a handshake redirect and returns its target.
func handshakeTarget(t *testing.T, res *response, reason string) *url.URL {
	t.Helper()
	res.wantStatus(t, http.StatusSeeOther)
	to, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatalf("Location %q: %v", res.Header.Get("Location"), err)
	}
	if hs := to.Query()[handshakeParam]; len(hs) != 1 || hs[0] != "1" {
		t.Errorf("redirect %s: %s = %q, want exactly one 1 (the loop guard)", to, handshakeParam, hs)
	}
	if got := res.Header.Get("Latchkey-Auth-Reason"); got != reason {
		t.Errorf("Latchkey-Auth-Reason %q, want %q", got, reason)
	}
	return to
}

func TestHandshake(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		clock := withSessionClock(ts)
		u := ts.signInUser(t, siEmail, "")
		b := newBrowser(t, ts)
		sid := b.ticketSignIn(u.ID, uaChromeWindows)
		stale := b.cookie(cookieSession)

		// Signed in, with an expired session token: fresh cookies and back
		// to the page, query kept, loop guard added.
		clock.advance(2 * time.Minute)
		now := clock.now().Unix()
		res := b.handshake(ts.url + "/dashboard?tab=keys")
		to := handshakeTarget(t, res, "handshake-signed-in")
		if to.Scheme+"://"+to.Host != ts.url || to.Path != "/dashboard" || to.Query().Get("tab") != "keys" {
			t.Errorf("redirected to %s", to)
		}
		cs := setCookies(res)
		fresh := cs[cookieSession]
		if fresh == nil || fresh.Value == "" || fresh.Value == stale || !fresh.HttpOnly || fresh.Path != "/" {
			t.Fatalf("handshake session cookie %+v", fresh)
		}
		claims := verifyToken(t, ts, fresh.Value)
		if claims["sid"] != sid || claims["sub"] != u.ID || claims["azp"] != nil || claimInt(t, claims, "exp") <= now || claimInt(t, claims, "iat") < now {
			t.Errorf("handshake token %v at %d", claims, now)
		}
		uat, err := strconv.ParseInt(cs[cookieUAT].Value, 10, 64)
		if err != nil || uat <= 0 || uat > claimInt(t, claims, "iat") || cs[cookieUAT].HttpOnly {
			t.Errorf("handshake uat cookie %+v (token iat %v)", cs[cookieUAT], claims["iat"])
		}
		if cs[cookieClient] != nil {
			t.Errorf("the handshake changed the client cookie")
		}
		// A URL that already carries the guard gets it once, not twice.
		handshakeTarget(t, b.handshake(ts.url+"/dashboard?"+handshakeParam+"=1"), "handshake-signed-in")

		// Signed out (no client, or a session that was revoked): the
		// cookies say so, and the browser goes back all the same.
		res = newBrowser(t, ts).handshake(ts.url + "/")
		handshakeTarget(t, res, "handshake-signed-out")
		wantCleared(t, res, false)
		ts.as(t).do("POST", "/api/v1/sessions/"+sid+"/revoke", nil).wantStatus(t, http.StatusOK)
		res = b.handshake(ts.url + "/dashboard")
		handshakeTarget(t, res, "handshake-signed-out")
		wantCleared(t, res, false)
		if b.cookie(cookieUAT) != "0" || b.cookie(cookieSession) != "" {
			t.Errorf("after a signed-out handshake: uat %q, session %q", b.cookie(cookieUAT), b.cookie(cookieSession))
		}

		// Only allow-listed targets: never an open redirect.
		b.handshake("").wantError(t, http.StatusBadRequest, latchkey.CodeFormParamMissing, "redirect_url")
		ts.patchSettings(t, `{"redirect_urls":["https://app.example/callback","https://docs.example/guides/"],
			"allowed_origins":["https://shop.example"]}`)
		refused := []string{
			"https://evil.example/dashboard",
			"javascript:alert(1)",
			"//evil.example/x",
			"/dashboard",
			"ftp://app.example/callback",
			"https://user:pw@" + ts.url[len("http://"):] + "/",
			"https://app.example/callback/more", // exact entries are exact
			"https://app.example/callbackx",
			"https://app.example/",
			"https://docs.example/guidesx",   // a prefix entry ends in "/"
			"https://docs.example/",          // and its parent is not in it
			"https://shop.example.evil.com/", // an allowed origin is an exact origin
			"http://shop.example/",           // scheme included
			"https://shop.example:8443/",     // port included
		}
		for _, r := range refused {
			res := b.handshake(r)
			res.wantError(t, http.StatusBadRequest, latchkey.CodeRedirectNotAllowed, "redirect_url")
			if len(res.Header.Values("Set-Cookie")) != 0 || res.Header.Get("Location") != "" {
				t.Errorf("refused redirect %q still set cookies or a Location", r)
			}
		}
		allowed := []string{
			ts.url + "/",
			"https://app.example/callback",
			"https://docs.example/guides/intro?x=1",
			"https://shop.example/cart",
			"http://localhost:3000/after", // dev mode: any localhost origin
		}
		for _, a := range allowed {
			to := handshakeTarget(t, b.handshake(a), "handshake-signed-out")
			want, _ := url.Parse(a)
			if to.Scheme != want.Scheme || to.Host != want.Host || to.Path != want.Path {
				t.Errorf("handshake for %s redirected to %s", a, to)
			}
		}
	})
}
