// Package geoiptest writes small GeoIP databases for tests, so tests of
// GeoIP lookups need no downloaded MaxMind file.
package geoiptest

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// The networks Lisbon places in Lisbon, Portugal. Both are reserved ranges
// (private and documentation), which no real database covers.
const (
	LisbonIPv4 = "10.1.2.0/24"
	LisbonIPv6 = "2001:db8:1::/48"
)

// Lisbon writes a GeoIP2-City database in which LisbonIPv4 and LisbonIPv6
// are the city "Lisbon" in country "PT", and returns its path.
func Lisbon(t testing.TB) string {
	t.Helper()
	rec := map[string]any{
		"city":    map[string]any{"names": map[string]any{"en": "Lisbon", "pt-BR": "Lisboa"}},
		"country": map[string]any{"iso_code": "PT", "names": map[string]any{"en": "Portugal"}},
	}
	return Write(t, "GeoIP2-City", rec, LisbonIPv4, LisbonIPv6)
}

// Write writes a database of type dbType (such as "GeoLite2-Country") in
// which every network in networks (CIDRs) has record, and returns its path.
// A record holds strings and nested maps, as in MaxMind's JSON.
func Write(t testing.TB, dbType string, record map[string]any, networks ...string) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            dbType,
		IncludeReservedNetworks: true, // so tests can use private and documentation ranges
	})
	if err != nil {
		t.Fatalf("new mmdb tree: %v", err)
	}
	for _, n := range networks {
		_, ipnet, err := net.ParseCIDR(n)
		if err != nil {
			t.Fatalf("network %q: %v", n, err)
		}
		if err := tree.Insert(ipnet, toMMDB(t, record)); err != nil {
			t.Fatalf("insert %s: %v", n, err)
		}
	}
	path := filepath.Join(t.TempDir(), dbType+".mmdb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.WriteTo(f); err != nil {
		f.Close()
		t.Fatalf("write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func toMMDB(t testing.TB, v any) mmdbtype.DataType {
	t.Helper()
	switch v := v.(type) {
	case string:
		return mmdbtype.String(v)
	case map[string]any:
		m := mmdbtype.Map{}
		for k, e := range v {
			m[mmdbtype.String(k)] = toMMDB(t, e)
		}
		return m
	}
	t.Fatalf("geoiptest: unsupported record value %T", v)
	return nil
}
