package auth

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/latchkeyhq/latchkey/sortedlist"
)

// disposableGz is the list of disposable (throw-away) email domains that
// sign-up refuses when sign_up.block_disposable_emails is on: one domain a
// line in byte order; a line "*.example.com" also covers every subdomain of
// example.com. DISPOSABLE_SOURCES.md says where it comes from and how to
// rebuild it.
//
//go:embed disposable_domains.txt.gz
var disposableGz []byte

// disposableList is the decompressed list: exact domains in a sorted list
// and the few wildcard domains in a set.
type disposableList struct {
	exact     *sortedlist.List
	wildcards map[string]bool
}

// disposable is loaded on first use (about 2 MB of text): instances that
// never turn the option on never pay for it.
var disposable = sync.OnceValue(loadDisposable)

func loadDisposable() *disposableList {
	text, err := sortedlist.Gunzip(disposableGz)
	if err != nil {
		panic(fmt.Sprintf("auth: embedded disposable domains: %v", err))
	}
	l := &disposableList{wildcards: map[string]bool{}}
	// Wildcard lines sort first ('*' is below every character of a domain).
	for strings.HasPrefix(text, "*.") {
		line, rest, _ := strings.Cut(text, "\n")
		l.wildcards[line[2:]] = true
		text = rest
	}
	l.exact = sortedlist.New(text)
	return l
}

func (l *disposableList) has(domain string) bool { return l.exact.Contains(domain) }

// isDisposableDomain reports whether an email domain (lower case) belongs
// to a disposable email service: listed exactly, or equal to or under a
// wildcard entry. Parents of an exactly listed domain do not count, since
// the list holds shared suffixes such as edu.pl whose other subdomains are
// ordinary schools.
func isDisposableDomain(domain string) bool {
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	if domain == "" {
		return false
	}
	l := disposable()
	if l.has(domain) {
		return true
	}
	for d := domain; ; {
		if l.wildcards[d] {
			return true
		}
		_, parent, ok := strings.Cut(d, ".")
		if !ok || !strings.Contains(parent, ".") {
			return false
		}
		d = parent
	}
}

// disposableCount returns how many domains the list holds (exact and
// wildcard), loading it.
func disposableCount() int {
	l := disposable()
	return l.exact.Len() + len(l.wildcards)
}
