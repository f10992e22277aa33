// Package breach tells whether a password is too easy to guess, as NIST SP
// 800-63B rev 4 §3.1.1.2 requires a verifier to check before accepting one:
//
//   - Common reports whether it is on an embedded list of about 200,000
//     common and breached passwords (see SOURCES.md), compared after folding
//     (NFKC, lower case, surrounding space trimmed), so "PassWord123" matches
//     "password123". The list holds only entries of at least 8 characters,
//     the lowest minimum password length settings allow.
//   - ContextMatch reports whether it is built from words of the context,
//     such as the user's email address, name, or the application's name.
//   - HIBP asks a Have I Been Pwned compatible range API whether it appears
//     in known breaches, sending only the first 5 hex digits of its SHA-1
//     (k-anonymity), never the password or its full hash.
//
// The list is decompressed on first use (about 30 ms, a few MB of heap) and
// kept for the life of the process; Count loads it, so a server can call it
// at start to keep that cost off the first sign-up.
package breach

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/gen -o common.txt.gz

// minEntryRunes is the length of the shortest entry: shorter passwords are
// refused by the length rule before the list matters.
const minEntryRunes = 8

//go:embed common.txt.gz
var commonGz []byte

// blocklist is the sorted list in one string, so ~200,000 entries cost one
// allocation and 4 bytes of index each rather than a string header apiece.
type blocklist struct {
	data string   // entries in byte order, each followed by '\n'
	ends []uint32 // ends[i] is the offset of entry i's '\n'
}

var loaded = sync.OnceValue(load)

func load() *blocklist {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		panic(fmt.Sprintf("breach: embedded list: %v", err))
	}
	var sb strings.Builder
	if n := len(commonGz); n >= 4 {
		// The gzip trailer holds the uncompressed size, so the text is read
		// straight into one buffer of the right size.
		sb.Grow(int(binary.LittleEndian.Uint32(commonGz[n-4:])))
	}
	if _, err := io.Copy(&sb, zr); err != nil {
		panic(fmt.Sprintf("breach: embedded list: %v", err))
	}
	b := &blocklist{data: sb.String()}
	b.ends = make([]uint32, 0, strings.Count(b.data, "\n"))
	for i := 0; i < len(b.data); i++ {
		if b.data[i] == '\n' {
			b.ends = append(b.ends, uint32(i))
		}
	}
	return b
}

func (b *blocklist) entry(i int) string {
	start := 0
	if i > 0 {
		start = int(b.ends[i-1]) + 1
	}
	return b.data[start:b.ends[i]]
}

func (b *blocklist) contains(s string) bool {
	lo, hi := 0, len(b.ends)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch e := b.entry(mid); {
		case e == s:
			return true
		case e < s:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return false
}

// Common reports whether pw, folded (NFKC, lower case, trimmed), is on the
// embedded list of common and breached passwords.
func Common(pw string) bool {
	f := fold(pw)
	if utf8.RuneCountInString(f) < minEntryRunes {
		return false
	}
	return loaded().contains(f)
}

// Count returns how many passwords the embedded list holds, loading it if it
// is not loaded yet.
func Count() int {
	return len(loaded().ends)
}

// fold is the comparison form of a password or context word: NFKC so that
// full-width and compatibility characters compare as their plain forms, then
// lower case, then surrounding white space trimmed. internal/gen folds the
// list's entries with the same function.
func fold(s string) string {
	return strings.TrimSpace(strings.ToLower(norm.NFKC.String(s)))
}
