// Package latchkey holds Latchkey's domain types, its error catalog and the rules
// that need nothing but the standard library: identifier normalization and ID
// generation. Every other package in the repository builds on these types; this
// package imports none of them.
package latchkey

import (
	"crypto/rand"
	"time"
)

// Version is the release of this build, set with -ldflags at release time.
var Version = "dev"

// ID prefixes. IDs are opaque to clients; the prefix only helps people reading logs.
const (
	PrefixUser         = "user"
	PrefixEmailAddress = "idn" // identifiers share one prefix: email, phone, username
	PrefixAPIKey       = "ak"
	PrefixSigningKey   = "kid"
	PrefixInstance     = "ins"
	PrefixRequest      = "req"
)

const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewID returns prefix + "_" + 27 random base62 characters (about 160 bits).
func NewID(prefix string) string {
	return prefix + "_" + RandomString(27)
}

// RandomString returns n characters drawn uniformly from [0-9A-Za-z] using
// crypto/rand. It is used for IDs and API keys.
func RandomString(n int) string {
	out := make([]byte, n)
	buf := make([]byte, n+n/2+8)
	i := 0
	for i < n {
		rand.Read(buf) // never returns an error (crypto/rand, Go 1.24+)
		for _, b := range buf {
			// 248 = 4*62: rejection sampling keeps the distribution uniform.
			if b >= 248 {
				continue
			}
			out[i] = idAlphabet[b%62]
			i++
			if i == n {
				break
			}
		}
	}
	return string(out)
}

// Millis converts a time to Unix milliseconds, the unit stored in the database
// and sent on the wire. The zero time becomes 0.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromMillis is the inverse of Millis.
func FromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
