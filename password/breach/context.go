package breach

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContextMatch reports whether pw is built from one of words, the
// context-specific words NIST SP 800-63B rev 4 §3.1.1.2 says to refuse: the
// email address's local part and domain label, the username, first and last
// name, the application's name.
//
// The rule, after folding pw and every word as Common does (NFKC, lower
// case, trimmed):
//
//   - Each word counts whole and also as its parts split at anything that is
//     not a letter or digit, so "ada.lovelace" gives "ada.lovelace", "ada"
//     and "lovelace". A word or part with no letter in it (a year, a phone
//     number) is ignored: it would refuse too many unrelated passwords.
//   - A word or part of 4 or more characters matches if pw contains it
//     anywhere: "lovelace" refuses "ilovelovelace" and "ada.lovelace2024".
//   - A part of 2 or 3 characters matches only if everything in pw before
//     and after it is digits, symbols or spaces: "ada" refuses "Ada1815!"
//     and "!!ada2024", but not "canada-geese-fly".
//   - Single characters are ignored.
func ContextMatch(pw string, words []string) bool {
	p := fold(pw)
	if p == "" {
		return false
	}
	for _, w := range words {
		w = fold(w)
		if matchWord(p, w) {
			return true
		}
		for part := range strings.FieldsFuncSeq(w, notLetterOrDigit) {
			if part != w && matchWord(p, part) {
				return true
			}
		}
	}
	return false
}

const (
	minContainsRunes = 4 // a word this long is refused anywhere in a password
	minAffixRunes    = 2 // a shorter word only with no letters around it
)

func matchWord(p, w string) bool {
	if !strings.ContainsFunc(w, unicode.IsLetter) {
		return false
	}
	n := utf8.RuneCountInString(w)
	switch {
	case n >= minContainsRunes:
		return strings.Contains(p, w)
	case n >= minAffixRunes:
		for i := 0; i < len(p); {
			j := strings.Index(p[i:], w)
			if j < 0 {
				return false
			}
			j += i
			if !strings.ContainsFunc(p[:j], unicode.IsLetter) && !strings.ContainsFunc(p[j+len(w):], unicode.IsLetter) {
				return true
			}
			i = j + 1
		}
	}
	return false
}

func notLetterOrDigit(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
