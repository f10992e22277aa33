package auth

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// disposableGz is the list of disposable (throw-away) email domains that
// sign-up refuses when sign_up.block_disposable_emails is on: one domain a
// line in byte order; a line "*.example.com" also covers every subdomain of
// example.com. DISPOSABLE_SOURCES.md says where it comes from and how to
// rebuild it.
//
//go:embed disposable_domains.txt.gz
var disposableGz []byte

// disposableList is the decompressed list: exact domains in one sorted
// string (one allocation, 4 bytes of index per entry) and the few wildcard
// domains in a set.
type disposableList struct {
	data      string   // exact domains in byte order, each followed by '\n'
	ends      []uint32 // ends[i] is the offset of entry i's '\n'
	wildcards map[string]bool
}

// disposable is loaded on first use (about 2 MB of text): instances that
// never turn the option on never pay for it.
var disposable = sync.OnceValue(loadDisposable)

func loadDisposable() *disposableList {
	zr, err := gzip.NewReader(bytes.NewReader(disposableGz))
	if err != nil {
		panic(fmt.Sprintf("auth: embedded disposable domains: %v", err))
	}
	var sb strings.Builder
	if n := len(disposableGz); n >= 4 {
		sb.Grow(int(binary.LittleEndian.Uint32(disposableGz[n-4:])))
	}
	if _, err := io.Copy(&sb, zr); err != nil {
		panic(fmt.Sprintf("auth: embedded disposable domains: %v", err))
	}
	text := sb.String()
	l := &disposableList{wildcards: map[string]bool{}}
	// Wildcard lines sort first ('*' is below every character of a domain).
	for strings.HasPrefix(text, "*.") {
		line, rest, _ := strings.Cut(text, "\n")
		l.wildcards[line[2:]] = true
		text = rest
	}
	l.data = text
	l.ends = make([]uint32, 0, strings.Count(text, "\n"))
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			l.ends = append(l.ends, uint32(i))
		}
	}
	return l
}

func (l *disposableList) entry(i int) string {
	start := 0
	if i > 0 {
		start = int(l.ends[i-1]) + 1
	}
	return l.data[start:l.ends[i]]
}

func (l *disposableList) has(domain string) bool {
	i := sort.Search(len(l.ends), func(i int) bool { return l.entry(i) >= domain })
	return i < len(l.ends) && l.entry(i) == domain
}

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
	return len(l.ends) + len(l.wildcards)
}
