package oauth

import (
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/latchkeyhq/latchkey"
)

func TestParseCallback(t *testing.T) {
	tests := []struct {
		name  string
		query string
		code  string
		err   latchkey.Code
		long  string
	}{
		{"code", "code=abc&state=s", "abc", "", ""},
		{"access denied", "error=access_denied&error_description=User+cancelled&state=s", "", latchkey.CodeOAuthAccessDenied, "access_denied. User cancelled"},
		{"invalid scope", "error=invalid_scope&error_description=Unknown+scope+foo", "", latchkey.CodeOAuthProviderError, "invalid_scope. Unknown scope foo"},
		{"server error", "error=server_error", "", latchkey.CodeOAuthProviderError, "server_error."},
		{"temporarily unavailable", "error=temporarily_unavailable", "", latchkey.CodeOAuthProviderError, "temporarily_unavailable"},
		{"unknown error", "error=user_cancelled_login", "", latchkey.CodeOAuthProviderError, "user_cancelled_login"},
		{"error wins over code", "error=server_error&code=abc", "", latchkey.CodeOAuthProviderError, "server_error"},
		{"markup and control characters removed", "error=server_error&error_description=%3Cscript%3Ealert(1)%3C/script%3E%0D%0Anext%00line", "", latchkey.CodeOAuthProviderError, "scriptalert(1)/script nextline"},
		{"missing code", "state=s", "", latchkey.CodeOAuthStateInvalid, ""},
		{"empty", "", "", latchkey.CodeOAuthStateInvalid, ""},
		{"huge code", "code=" + strings.Repeat("a", 5000), "", latchkey.CodeOAuthStateInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			code, err := ParseCallback(q)
			if tt.err == "" {
				if err != nil || code != tt.code {
					t.Fatalf("ParseCallback = %q, %v; want %q", code, err, tt.code)
				}
				return
			}
			e := wantCode(t, err, tt.err)
			if !strings.Contains(e.LongMessage, tt.long) {
				t.Errorf("long message %q lacks %q", e.LongMessage, tt.long)
			}
		})
	}
	long := strings.Repeat("x", 1000)
	_, err := ParseCallback(url.Values{"error": {long}, "error_description": {long}})
	if e := wantCode(t, err, latchkey.CodeOAuthProviderError); len(e.LongMessage) > 400 {
		t.Errorf("long message is %d bytes: not bounded", len(e.LongMessage))
	}
}

func FuzzParseCallback(f *testing.F) {
	f.Add("abc", "", "")
	f.Add("", "access_denied", "User cancelled")
	f.Add("", "server_error", "<b>\x00\r\n")
	f.Add("", "\xff\xfe", "\xff")
	f.Fuzz(func(t *testing.T, code, errName, desc string) {
		v := url.Values{}
		if code != "" {
			v.Set("code", code)
		}
		if errName != "" {
			v.Set("error", errName)
		}
		if desc != "" {
			v.Set("error_description", desc)
		}
		got, err := ParseCallback(v)
		if err == nil {
			if got != code || code == "" || errName != "" {
				t.Fatalf("ParseCallback(%q, %q) = %q without error", code, errName, got)
			}
			return
		}
		e := wantCode(t, err, latchkey.ErrorCode(err))
		switch e.Code {
		case latchkey.CodeOAuthAccessDenied, latchkey.CodeOAuthProviderError, latchkey.CodeOAuthStateInvalid:
		default:
			t.Fatalf("unexpected code %s", e.Code)
		}
		if len(e.LongMessage) > 400 {
			t.Fatalf("long message of %d bytes", len(e.LongMessage))
		}
		for _, r := range e.LongMessage {
			if !unicode.IsPrint(r) || r == '<' || r == '>' {
				t.Fatalf("long message %q has %q", e.LongMessage, r)
			}
		}
	})
}
