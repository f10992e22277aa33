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
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey/sortedlist"
	"golang.org/x/text/unicode/norm"
)

//go:generate go run ./internal/gen -o common.txt.gz

// minEntryRunes is the length of the shortest entry: shorter passwords are
// refused by the length rule before the list matters.
const minEntryRunes = 8

//go:embed common.txt.gz
var commonGz []byte

// loaded is the list, decompressed on first use into one string with 4
// bytes of index per entry (sortedlist), rather than a string per entry.
var loaded = sync.OnceValue(load)

func load() *sortedlist.List {
	text, err := sortedlist.Gunzip(commonGz)
	if err != nil {
		panic(fmt.Sprintf("breach: embedded list: %v", err))
	}
	return sortedlist.New(text)
}

// Common reports whether pw, folded (NFKC, lower case, trimmed), is on the
// embedded list of common and breached passwords.
func Common(pw string) bool {
	f := fold(pw)
	if utf8.RuneCountInString(f) < minEntryRunes {
		return false
	}
	return loaded().Contains(f)
}

// Count returns how many passwords the embedded list holds, loading it if it
// is not loaded yet.
func Count() int {
	return loaded().Len()
}

// fold is the comparison form of a password or context word: NFKC so that
// full-width and compatibility characters compare as their plain forms, then
// lower case, then surrounding white space trimmed. internal/gen folds the
// list's entries with the same function.
func fold(s string) string {
	return strings.TrimSpace(strings.ToLower(norm.NFKC.String(s)))
}
