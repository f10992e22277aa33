package latchkey

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"net/http/httptest"
	"testing"
)

func TestDERSignature(t *testing.T) {
	b32 := func(prefix ...byte) []byte {
		out := bytes.Repeat([]byte{0x42}, 32)
		copy(out, prefix)
		return out
	}
	for _, tt := range []struct {
		name string
		r, s []byte
	}{
		{"plain", b32(0x12), b32(0x34)},
		{"high bit", b32(0x80), b32(0xff)},
		{"leading zeros", b32(0, 0, 0x01), b32(0, 0x80)},
		{"zero", make([]byte, 32), b32(1)},
		{"one", append(make([]byte, 31), 1), bytes.Repeat([]byte{0xff}, 32)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			der := derSignature(tt.r, tt.s)
			var sig struct{ R, S *big.Int }
			rest, err := asn1.Unmarshal(der, &sig) // strict DER: minimal integers
			if err != nil || len(rest) != 0 {
				t.Fatalf("asn1: %v, %d bytes left of % x", err, len(rest), der)
			}
			if sig.R.Cmp(new(big.Int).SetBytes(tt.r)) != 0 || sig.S.Cmp(new(big.Int).SetBytes(tt.s)) != 0 {
				t.Errorf("decoded r=%x s=%x", sig.R, sig.S)
			}
		})
	}
}

func TestLKCookies(t *testing.T) {
	for _, tt := range []struct {
		name         string
		headers      []string
		session, uat string
	}{
		{"none", nil, "", ""},
		{"both", []string{"a=1; __lk_session=tok; __lk_uat=17"}, "tok", "17"},
		{"no spaces", []string{"__lk_uat=17;__lk_session=tok"}, "tok", "17"},
		{"first wins", []string{"__lk_session=first; __lk_session=second"}, "first", ""},
		{"several headers", []string{"x=y", "__lk_session=tok", "__lk_uat=5"}, "tok", "5"},
		{"quoted", []string{`__lk_uat="9"`}, "", "9"},
		{"prefix is not a match", []string{"__lk_session_old=x; x__lk_uat=3"}, "", ""},
		{"valueless parts", []string{"; __lk_session; =; __lk_uat=1"}, "", "1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			for _, h := range tt.headers {
				r.Header.Add("Cookie", h)
			}
			s, u := lkCookies(r)
			if s != tt.session || u != tt.uat {
				t.Errorf("lkCookies = %q, %q, want %q, %q", s, u, tt.session, tt.uat)
			}
			// The same as net/http reads them.
			for name, ours := range map[string]string{SessionCookie: s, ClientUATCookie: u} {
				theirs := ""
				if c, err := r.Cookie(name); err == nil {
					theirs = c.Value
				}
				if theirs != ours {
					t.Errorf("net/http reads %s = %q", name, theirs)
				}
			}
		})
	}
}
