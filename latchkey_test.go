package latchkey_test

import (
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func onlyAlphabet(s string) bool { return strings.Trim(s, alphabet) == "" }

func TestNewID(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{latchkey.PrefixUser, latchkey.PrefixAPIKey, latchkey.PrefixSigningKey, latchkey.PrefixInstance, "idn_email"} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			id := latchkey.NewID(prefix)
			rest, ok := strings.CutPrefix(id, prefix+"_")
			if !ok {
				t.Fatalf("NewID(%q) = %q, want prefix %q", prefix, id, prefix+"_")
			}
			if len(rest) != 27 || !onlyAlphabet(rest) {
				t.Errorf("NewID(%q) = %q, want 27 base62 characters after the prefix", prefix, id)
			}
		})
	}
}

func TestNewIDUnique(t *testing.T) {
	t.Parallel()
	const n = 20000
	seen := make(map[string]bool, n)
	for range n {
		id := latchkey.NewID(latchkey.PrefixUser)
		if seen[id] {
			t.Fatalf("NewID repeated %q within %d calls", id, n)
		}
		seen[id] = true
	}
}

// TestNewIDOrder checks that IDs sort in creation order, so rows made in one
// transaction (same timestamp) keep the order they were made in.
func TestNewIDOrder(t *testing.T) {
	t.Parallel()
	before := time.Now().UnixMilli()
	ids := make([]string, 10000)
	for i := range ids {
		ids[i] = latchkey.NewID(latchkey.PrefixEmailAddress)
	}
	after := time.Now().UnixMilli()
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("NewID %d = %q sorts before its predecessor %q", i, ids[i], ids[i-1])
		}
	}
	// The first 8 characters are the creation time in base62 milliseconds.
	for _, id := range []string{ids[0], ids[len(ids)-1]} {
		var ms int64
		for _, c := range strings.TrimPrefix(id, "idn_")[:8] {
			ms = ms*62 + int64(strings.IndexRune(alphabet, c))
		}
		if ms < before || ms > after {
			t.Errorf("NewID %q encodes time %d, want between %d and %d", id, ms, before, after)
		}
	}
}

func TestNewIDConcurrent(t *testing.T) {
	t.Parallel()
	const workers, each = 8, 2000
	out := make(chan []string, workers)
	for range workers {
		go func() {
			ids := make([]string, each)
			for i := range ids {
				ids[i] = latchkey.NewID(latchkey.PrefixUser)
			}
			out <- ids
		}()
	}
	seen := map[string]bool{}
	for range workers {
		for _, id := range <-out {
			if seen[id] {
				t.Fatalf("NewID repeated %q across goroutines", id)
			}
			seen[id] = true
		}
	}
}

func TestRandomString(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2, 27, 40, 61, 62, 63, 1000} {
		s := latchkey.RandomString(n)
		if len(s) != n || !onlyAlphabet(s) {
			t.Errorf("RandomString(%d) = %q: want %d characters of [0-9A-Za-z]", n, s, n)
		}
	}
}

// TestRandomStringCoversAlphabet catches a biased or truncated alphabet: in
// 62 000 uniform draws each of the 62 characters is missing with probability
// about e^-1000.
func TestRandomStringCoversAlphabet(t *testing.T) {
	t.Parallel()
	counts := map[rune]int{}
	for _, r := range latchkey.RandomString(62 * 1000) {
		counts[r]++
	}
	for _, r := range alphabet {
		// Expected 1000 each; 700 is about 9.5 standard deviations below.
		if counts[r] < 700 {
			t.Errorf("character %q drawn %d times in 62000, want about 1000", r, counts[r])
		}
	}
	if len(counts) != len(alphabet) {
		t.Errorf("drew %d distinct characters, want %d", len(counts), len(alphabet))
	}
}

func TestRandomStringUnique(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 10000 {
		s := latchkey.RandomString(12)
		if seen[s] {
			t.Fatalf("RandomString(12) repeated %q", s)
		}
		seen[s] = true
	}
}

func TestMillis(t *testing.T) {
	t.Parallel()
	berlin := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		in   time.Time
		want int64
	}{
		{"zero time", time.Time{}, 0},
		{"epoch", time.Unix(0, 1e6), 1},
		{"millisecond", time.Date(2025, 3, 1, 12, 0, 0, 123e6, time.UTC), 1740830400123},
		{"sub-millisecond truncated", time.Date(2025, 3, 1, 12, 0, 0, 123_999_999, time.UTC), 1740830400123},
		{"zone ignored", time.Date(2025, 3, 1, 13, 0, 0, 123e6, berlin), 1740830400123},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), -1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := latchkey.Millis(tt.in); got != tt.want {
				t.Errorf("Millis(%v) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestFromMillis(t *testing.T) {
	t.Parallel()
	if got := latchkey.FromMillis(0); !got.IsZero() {
		t.Errorf("FromMillis(0) = %v, want the zero time", got)
	}
	for _, ms := range []int64{1, 1740830400123, -1000, 253402300799999} {
		got := latchkey.FromMillis(ms)
		if got.Location() != time.UTC {
			t.Errorf("FromMillis(%d) location = %v, want UTC", ms, got.Location())
		}
		if back := latchkey.Millis(got); back != ms {
			t.Errorf("Millis(FromMillis(%d)) = %d", ms, back)
		}
	}
	now := time.Now().Truncate(time.Millisecond)
	if got := latchkey.FromMillis(latchkey.Millis(now)); !got.Equal(now) {
		t.Errorf("FromMillis(Millis(%v)) = %v, want the same instant", now, got)
	}
}
