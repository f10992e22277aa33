// Package geoip places a client IP address in a city and country, so a
// person's device list can say where each session was started. It reads a
// MaxMind DB file of the City or Country kind (GeoLite2 or GeoIP2; with a
// Country database the city is always empty).
//
// Lookups never fail: an address that is unparseable, private, or not in the
// database yields empty strings, and so does every lookup on a nil *DB, so
// callers work the same whether or not a file is configured. A DB is safe
// for concurrent use.
package geoip

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/oschwald/maxminddb-golang/v2"
)

// DB is an open GeoIP database.
type DB struct {
	r *maxminddb.Reader
}

// Open opens the MaxMind DB file at path (memory-mapped). It refuses
// databases that hold neither cities nor countries, such as GeoLite2-ASN.
func Open(path string) (*DB, error) {
	r, err := maxminddb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open geoip database: %w", err)
	}
	// GeoLite2-City, GeoIP2-Country, GeoIP2-Enterprise, DBIP-City-Lite...
	t := r.Metadata.DatabaseType
	if !strings.Contains(t, "City") && !strings.Contains(t, "Country") && !strings.Contains(t, "Enterprise") {
		r.Close()
		return nil, fmt.Errorf("open geoip database: type %q has no city or country data", t)
	}
	return &DB{r: r}, nil
}

// record is the part of a City or Country record Lookup reads; the decoder
// skips everything else, including the names in other languages.
type record struct {
	City struct {
		Names struct {
			En string `maxminddb:"en"`
		} `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
}

// Lookup returns the English city name and the ISO 3166-1 country code (such
// as "PT") of ip, or empty strings when they are unknown.
func (db *DB) Lookup(ip string) (city, country string) {
	if db == nil {
		return "", ""
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "", ""
	}
	var rec record
	if err := db.r.Lookup(addr.Unmap()).Decode(&rec); err != nil {
		return "", ""
	}
	return rec.City.Names.En, rec.Country.ISOCode
}

// Close unmaps the file. No Lookup may run during or after it.
func (db *DB) Close() error {
	if db == nil {
		return nil
	}
	return db.r.Close()
}
