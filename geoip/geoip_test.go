package geoip

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey/geoip/geoiptest"
)

func open(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestLookup(t *testing.T) {
	t.Parallel()
	city := open(t, geoiptest.Lisbon(t))
	country := open(t, geoiptest.Write(t, "GeoLite2-Country",
		map[string]any{"country": map[string]any{"iso_code": "PT"}}, geoiptest.LisbonIPv4))
	tests := []struct {
		name, ip          string
		db                *DB
		city, countryCode string
	}{
		{"IPv4 hit", "10.1.2.3", city, "Lisbon", "PT"},
		{"IPv4 edge of the network", "10.1.2.255", city, "Lisbon", "PT"},
		{"IPv4 miss", "10.1.3.1", city, "", ""},
		{"public address not in the file", "8.8.8.8", city, "", ""},
		{"IPv6 hit", "2001:db8:1::5", city, "Lisbon", "PT"},
		{"IPv6 miss", "2001:db8:2::5", city, "", ""},
		{"IPv4-mapped IPv6", "::ffff:10.1.2.3", city, "Lisbon", "PT"},
		{"IPv6 with a zone", "2001:db8:1::5%eth0", city, "Lisbon", "PT"},
		{"empty", "", city, "", ""},
		{"garbage", "not an address", city, "", ""},
		{"host and port", "10.1.2.3:443", city, "", ""},
		{"out of range", "10.1.2.300", city, "", ""},
		{"country database", "10.1.2.3", country, "", "PT"},
		{"nil database", "10.1.2.3", nil, "", ""},
	}
	for _, tt := range tests {
		c, cc := tt.db.Lookup(tt.ip)
		if c != tt.city || cc != tt.countryCode {
			t.Errorf("%s: Lookup(%q) = %q, %q; want %q, %q", tt.name, tt.ip, c, cc, tt.city, tt.countryCode)
		}
	}
	var none *DB
	if err := none.Close(); err != nil {
		t.Errorf("nil DB Close: %v", err)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	text := filepath.Join(dir, "GeoLite2-City.mmdb")
	if err := os.WriteFile(text, []byte("not a database\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	asn := geoiptest.Write(t, "GeoLite2-ASN",
		map[string]any{"autonomous_system_organization": "Example"}, geoiptest.LisbonIPv4)

	if _, err := Open(filepath.Join(dir, "missing.mmdb")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want one wrapping os.ErrNotExist", err)
	}
	if _, err := Open(text); err == nil || !strings.Contains(err.Error(), "invalid MaxMind DB") {
		t.Errorf("text file: err = %v, want invalid MaxMind DB", err)
	}
	if _, err := Open(asn); err == nil || !strings.Contains(err.Error(), `"GeoLite2-ASN" has no city or country`) {
		t.Errorf("ASN database: err = %v, want a refusal naming its type", err)
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"10.1.2.3", "2001:db8:1::5", "::ffff:10.1.2.3", "", "::", "1.2.3.4%x", "fe80::1%eth0"} {
		f.Add(s)
	}
	db, err := Open(geoiptest.Lisbon(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	f.Fuzz(func(t *testing.T, ip string) {
		city, country := db.Lookup(ip)
		if (city == "") != (country == "") || (city != "" && city != "Lisbon") {
			t.Errorf("Lookup(%q) = %q, %q", ip, city, country)
		}
	})
}
