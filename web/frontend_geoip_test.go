package web

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/latchkeyhq/latchkey/geoip"
	"github.com/latchkeyhq/latchkey/geoip/geoiptest"
)

// TestMeSessionsGeoIP checks that with a GeoIP file the device list places
// each session where its client address is, using the address a trusted
// proxy forwarded, and says nothing for an address the file does not know.
func TestMeSessionsGeoIP(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		db, err := geoip.Open(geoiptest.Lisbon(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() }) // after the server stops: cleanups run last-in first-out
		ts := newTestServer(t, engine, withGeoIP(db))
		u := ts.signInUser(t, siEmail, "")
		desk, phone, away := newBrowser(t, ts), newBrowser(t, ts), newBrowser(t, ts)
		// Loopback is a trusted proxy by default, so X-Forwarded-For is the
		// client address.
		sd := desk.ticketSignIn(u.ID, uaChromeWindows, "X-Forwarded-For", "10.1.2.3")
		sp := phone.ticketSignIn(u.ID, uaSafariIPhone, "X-Forwarded-For", "2001:db8:1::7")
		sa := away.ticketSignIn(u.ID, uaChromeWindows, "X-Forwarded-For", "203.0.113.7")

		env := desk.call("GET", "/v1/me/sessions", nil, http.StatusOK)
		var list listJSON[deviceJSON]
		if err := json.Unmarshal(env.Response, &list); err != nil {
			t.Fatalf("decode devices: %v; %s", err, env.Response)
		}
		got := map[string]deviceJSON{}
		for _, d := range list.Data {
			got[d.ID] = d
		}
		want := map[string]struct{ ip, city, country string }{
			sd: {"10.1.2.3", "Lisbon", "PT"},
			sp: {"2001:db8:1::7", "Lisbon", "PT"},
			sa: {"203.0.113.7", "", ""},
		}
		if len(got) != len(want) {
			t.Fatalf("devices %+v, want %d", list.Data, len(want))
		}
		for id, w := range want {
			d := got[id]
			if d.IPAddress != w.ip || d.City != w.city || d.Country != w.country {
				t.Errorf("device %s: ip %q city %q country %q; want %q %q %q", id, d.IPAddress, d.City, d.Country, w.ip, w.city, w.country)
			}
		}
	})
}
