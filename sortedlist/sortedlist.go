// Package sortedlist holds a large, sorted list of text lines (embedded
// word lists: breached passwords, disposable email domains) in one string
// with a 4-byte offset per entry, and finds entries by binary search. It
// costs one allocation for the text and no per-entry strings.
package sortedlist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
)

// List is an immutable sorted list. Safe for concurrent use.
type List struct {
	data string   // entries in byte order, each followed by '\n'
	ends []uint32 // ends[i] is the offset of entry i's '\n'
}

// New indexes text: entries one per line, each ending in '\n', already in
// byte order (the caller's generator guarantees it; a test should too).
func New(text string) *List {
	l := &List{data: text, ends: make([]uint32, 0, strings.Count(text, "\n"))}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			l.ends = append(l.ends, uint32(i))
		}
	}
	return l
}

// Gunzip decompresses gz into one string, sized from the gzip trailer.
func Gunzip(gz []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", fmt.Errorf("sortedlist: %w", err)
	}
	var sb strings.Builder
	if n := len(gz); n >= 4 {
		// The trailer holds the uncompressed size (mod 2^32).
		sb.Grow(int(binary.LittleEndian.Uint32(gz[n-4:])))
	}
	if _, err := io.Copy(&sb, zr); err != nil {
		return "", fmt.Errorf("sortedlist: %w", err)
	}
	return sb.String(), nil
}

// Len returns the number of entries.
func (l *List) Len() int { return len(l.ends) }

// Entry returns entry i (0 <= i < Len).
func (l *List) Entry(i int) string {
	start := 0
	if i > 0 {
		start = int(l.ends[i-1]) + 1
	}
	return l.data[start:l.ends[i]]
}

// Contains reports whether s is an entry.
func (l *List) Contains(s string) bool {
	i := sort.Search(len(l.ends), func(i int) bool { return l.Entry(i) >= s })
	return i < len(l.ends) && l.Entry(i) == s
}
