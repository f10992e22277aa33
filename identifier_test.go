package latchkey_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
)

// wantFormatError fails unless err is a *latchkey.Error with code
// form_param_format_invalid naming param.
func wantFormatError(t *testing.T, err error, param string) {
	t.Helper()
	var e *latchkey.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *latchkey.Error", err, err)
	}
	if e.Code != latchkey.CodeFormParamInvalid || e.Param != param {
		t.Errorf("err = code %q param %q, want code %q param %q", e.Code, e.Param, latchkey.CodeFormParamInvalid, param)
	}
	if e.Message != latchkey.Messages[e.Code] || e.LongMessage == "" {
		t.Errorf("err messages = %q / %q, want the catalog message and a long message", e.Message, e.LongMessage)
	}
}

// label returns a DNS label of n characters.
func label(c byte, n int) string { return strings.Repeat(string(c), n) }

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	local64 := label('a', 64)
	// 64 + 1 + (63+1+63+1+61) = 254 octets, the longest allowed address.
	domain189 := label('b', 63) + "." + label('c', 63) + "." + label('d', 61)
	longest := local64 + "@" + domain189
	if len(longest) != latchkey.MaxEmailLength {
		t.Fatalf("test setup: len(longest) = %d", len(longest))
	}
	tests := []struct {
		name           string
		in             string
		value, norm    string
		wantErr        bool
		wantErrMessage string // a substring of the long message, when set
	}{
		{name: "plain", in: "jane@example.com", value: "jane@example.com", norm: "jane@example.com"},
		{name: "domain lower-cased, local part kept", in: "Jane.Doe@Example.COM", value: "Jane.Doe@example.com", norm: "jane.doe@example.com"},
		{name: "surrounding space trimmed", in: " \t jane@example.com\n ", value: "jane@example.com", norm: "jane@example.com"},
		{name: "plus tag and subdomain", in: "jane+tag@mail.sub.example.org", value: "jane+tag@mail.sub.example.org", norm: "jane+tag@mail.sub.example.org"},
		{name: "dots inside local part", in: "a.b.c@example.com", value: "a.b.c@example.com", norm: "a.b.c@example.com"},
		{name: "hyphen inside label", in: "x@my-domain.co.uk", value: "x@my-domain.co.uk", norm: "x@my-domain.co.uk"},
		{name: "unicode", in: "Jöhn@Bücher.DE", value: "Jöhn@bücher.de", norm: "jöhn@bücher.de"},
		{name: "label of 63", in: "x@" + label('E', 63) + ".com", value: "x@" + label('e', 63) + ".com", norm: "x@" + label('e', 63) + ".com"},
		{name: "local part of 64", in: local64 + "@example.com", value: local64 + "@example.com", norm: local64 + "@example.com"},
		{name: "254 octets", in: longest, value: longest, norm: longest},
		{name: "numeric labels before a TLD", in: "x@123.example.com", value: "x@123.example.com", norm: "x@123.example.com"},

		{name: "empty", in: "", wantErr: true, wantErrMessage: "Enter an email address"},
		{name: "blank", in: "   ", wantErr: true, wantErrMessage: "Enter an email address"},
		{name: "255 octets", in: "a" + longest, wantErr: true},
		{name: "local part of 65", in: label('a', 65) + "@example.com", wantErr: true, wantErrMessage: "64"},
		{name: "missing @", in: "jane.example.com", wantErr: true},
		{name: "empty local part", in: "@example.com", wantErr: true},
		{name: "empty domain", in: "jane@", wantErr: true},
		{name: "two @", in: "jane@doe@example.com", wantErr: true},
		{name: "two @ adjacent", in: "jane@@example.com", wantErr: true},
		{name: "inner space", in: "jane doe@example.com", wantErr: true},
		{name: "tab", in: "jane\tdoe@example.com", wantErr: true},
		{name: "no-break space", in: "jane\u00a0doe@example.com", wantErr: true},
		{name: "NUL", in: "jane\x00@example.com", wantErr: true},
		{name: "newline inside", in: "jane\n@example.com", wantErr: true},
		{name: "DEL", in: "jane\x7f@example.com", wantErr: true},
		{name: "C1 control", in: "jane\u0085x@example.com", wantErr: true},
		{name: "quoted local part", in: `"jane"@example.com`, wantErr: true},
		{name: "comment", in: "jane(work)@example.com", wantErr: true},
		{name: "display name", in: "Jane <jane@example.com>", wantErr: true},
		{name: "angle brackets", in: "<jane@example.com>", wantErr: true},
		{name: "comma", in: "jane,doe@example.com", wantErr: true},
		{name: "colon", in: "jane:doe@example.com", wantErr: true},
		{name: "semicolon", in: "jane;doe@example.com", wantErr: true},
		{name: "backslash", in: `jane\doe@example.com`, wantErr: true},
		{name: "IPv4 literal", in: "jane@[192.0.2.1]", wantErr: true},
		{name: "IPv6 literal", in: "jane@[IPv6:2001:db8::1]", wantErr: true},
		{name: "bare IPv4 address", in: "jane@192.0.2.1", wantErr: true},
		{name: "numeric TLD", in: "jane@example.123", wantErr: true},
		{name: "leading dot", in: ".jane@example.com", wantErr: true},
		{name: "trailing dot", in: "jane.@example.com", wantErr: true},
		{name: "two dots", in: "ja..ne@example.com", wantErr: true},
		{name: "no dot in domain", in: "jane@localhost", wantErr: true, wantErrMessage: "dot"},
		{name: "empty label", in: "jane@example..com", wantErr: true},
		{name: "domain leading dot", in: "jane@.example.com", wantErr: true},
		{name: "domain trailing dot", in: "jane@example.com.", wantErr: true},
		{name: "label leading hyphen", in: "jane@-example.com", wantErr: true},
		{name: "label trailing hyphen", in: "jane@example-.com", wantErr: true},
		{name: "label of 64", in: "jane@" + label('e', 64) + ".com", wantErr: true},
		{name: "invalid UTF-8", in: "jane\xff@example.com", wantErr: true},
		// U+023A (2 bytes) lower-cases to U+2C65 (3 bytes): the unique key
		// must respect the limits too.
		{name: "lower-casing grows past 254", in: "x@" + strings.Repeat(strings.Repeat("\u023a", 10)+".", 10) + "com", wantErr: true},
		{name: "lower-casing grows a label past 63", in: "x@" + strings.Repeat("\u023a", 31) + ".com", wantErr: true},
		{name: "lower-casing grows local part past 64", in: strings.Repeat("\u023a", 30) + "@example.com", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			value, norm, err := latchkey.NormalizeEmail(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NormalizeEmail(%q) = %q, %q, want an error", tt.in, value, norm)
				}
				wantFormatError(t, err, "email_address")
				if value != "" || norm != "" {
					t.Errorf("NormalizeEmail(%q) returned %q, %q with its error, want empty strings", tt.in, value, norm)
				}
				if tt.wantErrMessage != "" && !strings.Contains(err.Error(), tt.wantErrMessage) {
					t.Errorf("error %q does not mention %q", err, tt.wantErrMessage)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeEmail(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff([2]string{tt.value, tt.norm}, [2]string{value, norm}); diff != "" {
				t.Errorf("NormalizeEmail(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr bool
	}{
		{name: "E.164", in: "+14155550100", want: "+14155550100"},
		{name: "spaces dashes parentheses", in: "+1 (415) 555-0100", want: "+14155550100"},
		{name: "dots", in: "+44.20.7946.0958", want: "+442079460958"},
		{name: "surrounding space", in: "  +4915123456789\n", want: "+4915123456789"},
		{name: "7 digits", in: "+1234567", want: "+1234567"},
		{name: "15 digits", in: "+123456789012345", want: "+123456789012345"},
		{name: "15 digits with separators", in: "+12-345-678-901-2345", want: "+123456789012345"},

		{name: "empty", in: "", wantErr: true},
		{name: "plus only", in: "+", wantErr: true},
		{name: "no plus", in: "14155550100", wantErr: true},
		{name: "national format", in: "(415) 555-0100", wantErr: true},
		{name: "00 prefix", in: "0014155550100", wantErr: true},
		{name: "6 digits", in: "+123456", wantErr: true},
		{name: "6 digits padded with separators", in: "+1 2 3 4 5 6 ---", wantErr: true},
		{name: "16 digits", in: "+1234567890123456", wantErr: true},
		{name: "country code starts with 0", in: "+0123456789", wantErr: true},
		{name: "letter", in: "+1415555010a", wantErr: true},
		{name: "vanity number", in: "+1-800-FLOWERS", wantErr: true},
		{name: "two pluses", in: "++14155550100", wantErr: true},
		{name: "plus inside", in: "+1415+5550100", wantErr: true},
		{name: "extension", in: "+14155550100 ext 5", wantErr: true},
		{name: "slash", in: "+1/415/5550100", wantErr: true},
		{name: "tab separator", in: "+1\t4155550100", wantErr: true},
		{name: "non-ASCII digits", in: "+\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", wantErr: true},
		{name: "full-width digits", in: "+\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18", wantErr: true},
		{name: "invalid UTF-8", in: "+1415555\xff0100", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			value, norm, err := latchkey.NormalizePhone(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("NormalizePhone(%q) = %q, want an error", tt.in, value)
				}
				wantFormatError(t, err, "phone_number")
				return
			}
			if err != nil {
				t.Fatalf("NormalizePhone(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff([2]string{tt.want, tt.want}, [2]string{value, norm}); diff != "" {
				t.Errorf("NormalizePhone(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestNormalizeUsername(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		min, max int
		want     string
		wantErr  string // a substring of the long message
	}{
		{name: "lower-cased", in: "Alice_99", min: 4, max: 64, want: "alice_99"},
		{name: "dot and dash", in: "a.b-c", min: 1, max: 64, want: "a.b-c"},
		{name: "trimmed", in: "  bob1 ", min: 4, max: 64, want: "bob1"},
		{name: "exactly min", in: "abcd", min: 4, max: 10, want: "abcd"},
		{name: "exactly max", in: "ABCDEFGHIJ", min: 4, max: 10, want: "abcdefghij"},
		{name: "min 0 means 1", in: "a", min: 0, max: 10, want: "a"},
		{name: "max 0 means 64", in: label('z', 64), min: 1, max: 0, want: label('z', 64)},

		{name: "too short", in: "abc", min: 4, max: 64, wantErr: "between 4 and 64"},
		{name: "too long", in: "abcdefghijk", min: 4, max: 10, wantErr: "between 4 and 10"},
		{name: "empty", in: "", min: 0, max: 0, wantErr: "between 1 and 64"},
		{name: "blank", in: "    ", min: 1, max: 64, wantErr: "between 1 and 64"},
		{name: "max above 64 capped", in: label('z', 65), min: 1, max: 100, wantErr: "between 1 and 64"},
		{name: "negative max capped", in: label('z', 65), min: 1, max: -1, wantErr: "between 1 and 64"},
		{name: "inner space", in: "al ice", min: 1, max: 64, wantErr: "only letters"},
		{name: "at sign", in: "alice@example", min: 1, max: 64, wantErr: "only letters"},
		{name: "punctuation", in: "alice!", min: 1, max: 64, wantErr: "only letters"},
		{name: "plus", in: "alice+1", min: 1, max: 64, wantErr: "only letters"},
		{name: "non-ASCII letter", in: "ålice", min: 1, max: 64, wantErr: "only letters"},
		{name: "Kelvin sign lower-cases to k", in: "\u212aelvin", min: 1, max: 64, wantErr: "only letters"},
		{name: "control", in: "ali\x00ce", min: 1, max: 64, wantErr: "only letters"},
		{name: "invalid UTF-8", in: "ali\xffce", min: 1, max: 64, wantErr: "only letters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			value, norm, err := latchkey.NormalizeUsername(tt.in, tt.min, tt.max)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("NormalizeUsername(%q, %d, %d) = %q, want an error", tt.in, tt.min, tt.max, value)
				}
				wantFormatError(t, err, "username")
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NormalizeUsername(%q, %d, %d): %v", tt.in, tt.min, tt.max, err)
			}
			if diff := cmp.Diff([2]string{tt.want, tt.want}, [2]string{value, norm}); diff != "" {
				t.Errorf("NormalizeUsername(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"jane@example.com", "Jane.Doe@Example.COM", " jane@example.com ", "Jöhn@Bücher.DE",
		"jane@[192.0.2.1]", "jane@192.0.2.1", `"jane"@example.com`, "jane(c)@example.com",
		"a@b", "@", "a@@b.c", "a@b@c.d", ".a@b.c", "a..b@c.d", "a@-b.c", "a@b-.c", "a@b..c",
		"x@" + strings.Repeat("\u023a", 60) + ".com", "\u212a@\u212a.com", "a\xff@b.c",
		label('a', 64) + "@" + label('b', 63) + "." + label('c', 63) + "." + label('d', 61),
		"a\u00a0b@c.de", "a@b.c\u0085", "ǅ@ǅ.ǅ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		value, norm, err := latchkey.NormalizeEmail(s)
		if err != nil {
			if latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
				t.Fatalf("NormalizeEmail(%q): error code %q, want %q", s, latchkey.ErrorCode(err), latchkey.CodeFormParamInvalid)
			}
			return
		}
		for _, v := range []string{value, norm} {
			if !utf8.ValidString(v) {
				t.Fatalf("NormalizeEmail(%q) = %q: not valid UTF-8", s, v)
			}
			at := strings.LastIndexByte(v, '@')
			if len(v) > latchkey.MaxEmailLength || at < 1 || at > 64 {
				t.Fatalf("NormalizeEmail(%q) = %q: outside the length limits", s, v)
			}
		}
		if norm != strings.ToLower(value) {
			t.Fatalf("NormalizeEmail(%q): normalized %q != lower(value %q)", s, norm, value)
		}
		v2, n2, err := latchkey.NormalizeEmail(value)
		if err != nil || v2 != value || n2 != norm {
			t.Fatalf("NormalizeEmail(value %q) = %q, %q, %v; want it unchanged", value, v2, n2, err)
		}
		v3, n3, err := latchkey.NormalizeEmail(norm)
		if err != nil || v3 != norm || n3 != norm {
			t.Fatalf("NormalizeEmail(normalized %q) = %q, %q, %v; want it unchanged", norm, v3, n3, err)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"+14155550100", "+1 (415) 555-0100", "+44.20.7946.0958", "14155550100", "+", "++1234567",
		"+0123456789", "+123456", "+1234567890123456", "+1-800-FLOWERS", "+\u0661\u0662\u0663\u0664\u0665\u0666\u0667",
		" +1234567 ", "+1\xff234567",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		value, norm, err := latchkey.NormalizePhone(s)
		if err != nil {
			if latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
				t.Fatalf("NormalizePhone(%q): error code %q", s, latchkey.ErrorCode(err))
			}
			return
		}
		if value != norm {
			t.Fatalf("NormalizePhone(%q) = %q, %q: value and normalized differ", s, value, norm)
		}
		digits := strings.TrimPrefix(norm, "+")
		if len(digits) == len(norm) || len(digits) < 7 || len(digits) > 15 || digits[0] == '0' ||
			strings.TrimLeft(digits, "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q: not E.164", s, norm)
		}
		v2, n2, err := latchkey.NormalizePhone(norm)
		if err != nil || v2 != norm || n2 != norm {
			t.Fatalf("NormalizePhone(%q) = %q, %q, %v; want it unchanged", norm, v2, n2, err)
		}
	})
}

func FuzzNormalizeUsername(f *testing.F) {
	for _, s := range []struct {
		s        string
		min, max int
	}{
		{"alice", 4, 64}, {"Alice_99", 1, 10}, {"a.b-c", 0, 0}, {"ålice", 1, 64}, {"\u212aelvin", 1, 64},
		{" bob ", 3, 3}, {"", 0, 0}, {label('z', 65), 1, 100}, {"abc", 10, 5}, {"x\xffy", 1, 64},
	} {
		f.Add(s.s, s.min, s.max)
	}
	f.Fuzz(func(t *testing.T, s string, minLen, maxLen int) {
		value, norm, err := latchkey.NormalizeUsername(s, minLen, maxLen)
		if err != nil {
			if latchkey.ErrorCode(err) != latchkey.CodeFormParamInvalid {
				t.Fatalf("NormalizeUsername(%q): error code %q", s, latchkey.ErrorCode(err))
			}
			return
		}
		if value != norm || norm != strings.ToLower(norm) || !utf8.ValidString(norm) {
			t.Fatalf("NormalizeUsername(%q) = %q, %q: want equal, lower-case, valid UTF-8", s, value, norm)
		}
		lo, hi := max(minLen, 1), maxLen
		if hi <= 0 || hi > 64 {
			hi = 64
		}
		if n := utf8.RuneCountInString(norm); n < lo || n > hi {
			t.Fatalf("NormalizeUsername(%q, %d, %d) = %q: %d characters, outside [%d, %d]", s, minLen, maxLen, norm, n, lo, hi)
		}
		if strings.Trim(norm, "abcdefghijklmnopqrstuvwxyz0123456789_-.") != "" {
			t.Fatalf("NormalizeUsername(%q) = %q: character outside [a-z0-9_.-]", s, norm)
		}
		v2, n2, err := latchkey.NormalizeUsername(norm, minLen, maxLen)
		if err != nil || v2 != norm || n2 != norm {
			t.Fatalf("NormalizeUsername(%q) = %q, %q, %v; want it unchanged", norm, v2, n2, err)
		}
	})
}
