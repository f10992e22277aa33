// Package latchkey holds Latchkey's domain types, its error catalog and the rules
// that need nothing but the standard library: identifier normalization and ID
// generation. Every other package in the repository builds on these types; this
// package imports none of them.
package latchkey

import (
	"crypto/rand"
	"sync/atomic"
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

// NewID returns prefix + "_" + 27 base62 characters: 8 encode the creation
// time in milliseconds and 4 a per-process counter, so IDs sort in creation
// order (rows created in one transaction share a timestamp and keep the
// order they were made in); 15 are random (about 89 bits).
func NewID(prefix string) string {
	var b [27]byte
	encodeBase62(b[0:8], uint64(time.Now().UnixMilli()))
	encodeBase62(b[8:12], idCounter.Add(1))
	copy(b[12:], RandomString(15))
	return prefix + "_" + string(b[:])
}

var idCounter atomic.Uint64

// encodeBase62 writes v into dst as fixed-width base62, most significant
// digit first, keeping only the low digits that fit.
func encodeBase62(dst []byte, v uint64) {
	for i := len(dst) - 1; i >= 0; i-- {
		dst[i] = idAlphabet[v%62]
		v /= 62
	}
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
