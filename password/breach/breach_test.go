package breach

import (
	"crypto/rand"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestCommonFindsKnownPasswords(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{
		"password123", "PASSWORD123", "Password123", "  password123\t",
		"qwertyuiop", "QwErTyUiOp",
		"iloveyou1", "ILoveYou1",
		"trustno1", "1qaz2wsx", "P@ssw0rd", "sunshine1", "letmein123",
		"ｐａｓｓｗｏｒｄ１２３", // full-width forms fold to ASCII under NFKC
	} {
		if !Common(pw) {
			t.Errorf("Common(%q) = false, want true", pw)
		}
	}
}

func TestCommonRejectsOthers(t *testing.T) {
	t.Parallel()
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_=+"
	for range 1000 {
		pw := randomString(alphabet, 20)
		if Common(pw) {
			t.Errorf("Common(%q) = true for a random string", pw)
		}
	}
	for _, pw := range []string{
		"", "123456", "passwor", // shorter than any entry: the length rule refuses these
		"correct horse battery staple 7Qx",
		"password123!!xq9", // a common password with more after it is a different password
	} {
		if Common(pw) {
			t.Errorf("Common(%q) = true, want false", pw)
		}
	}
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// TestListShape checks the embedded list against what the package doc
// promises and what the binary search needs: at least 100,000 entries (the
// requirement; about 200,000 today), strictly sorted, folded, at least
// minEntryRunes characters, and each one found.
func TestListShape(t *testing.T) {
	t.Parallel()
	b := loaded()
	if n := Count(); n < 100_000 {
		t.Fatalf("Count() = %d, want at least 100,000", n)
	}
	prev := ""
	for i := range b.Len() {
		e := b.Entry(i)
		if i > 0 && e <= prev {
			t.Fatalf("entry %d %q is not after %q: the list must be sorted and unique", i, e, prev)
		}
		if !utf8.ValidString(e) || fold(e) != e {
			t.Fatalf("entry %d %q is not folded (fold gives %q)", i, e, fold(e))
		}
		if utf8.RuneCountInString(e) < minEntryRunes {
			t.Fatalf("entry %d %q is shorter than %d characters", i, e, minEntryRunes)
		}
		if !b.Contains(e) || !Common(e) || !Common(strings.ToUpper(e)) {
			t.Fatalf("entry %d %q is not found", i, e)
		}
		prev = e
	}
}

// TestConcurrentFirstUse loads the list from many goroutines at once; run
// with -race, it checks the lazy load is safe.
func TestConcurrentFirstUse(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !Common("password123") || Common("not-on-any-list-Zq81") {
				t.Error("wrong answer under concurrent first use")
			}
		})
	}
	wg.Wait()
}

func BenchmarkCommon(b *testing.B) {
	Count() // load outside the timed loop
	for _, bc := range []struct{ name, pw string }{
		{"hit", "Password123"},
		{"miss", "correct horse battery staple"},
		{"miss-unicode", "pässwörd-Ünïcödé-42"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			want := bc.name == "hit"
			for b.Loop() {
				if Common(bc.pw) != want {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}

// BenchmarkLoad reports the time to decompress and index the list and the
// heap it keeps (heap-B/op).
func BenchmarkLoad(b *testing.B) {
	var kept uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		l := load()
		runtime.GC()
		runtime.ReadMemStats(&after)
		kept = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(l)
	}
	b.ReportMetric(float64(kept), "heap-B/op")
	b.ReportMetric(float64(len(commonGz)), "gzip-B")
}
