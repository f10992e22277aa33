package sortedlist

import (
	"bytes"
	"compress/gzip"
	"testing"
)

func TestList(t *testing.T) {
	l := New("apple\nbanana\ncherry\n")
	if l.Len() != 3 || l.Entry(0) != "apple" || l.Entry(2) != "cherry" {
		t.Fatalf("Len %d, entries %q %q", l.Len(), l.Entry(0), l.Entry(2))
	}
	for s, want := range map[string]bool{"apple": true, "banana": true, "cherry": true, "": false,
		"app": false, "applez": false, "blueberry": false, "zzz": false, "a": false} {
		if got := l.Contains(s); got != want {
			t.Errorf("Contains(%q) = %v, want %v", s, got, want)
		}
	}
	if New("").Contains("") || New("").Len() != 0 {
		t.Error("an empty list contains something")
	}
}

func TestGunzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("one\ntwo\n"))
	zw.Close()
	text, err := Gunzip(buf.Bytes())
	if err != nil || text != "one\ntwo\n" {
		t.Fatalf("Gunzip = %q, %v", text, err)
	}
	if _, err := Gunzip([]byte("not gzip")); err == nil {
		t.Error("Gunzip accepted garbage")
	}
}
