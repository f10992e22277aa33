package oauth

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/latchkeyhq/latchkey"
)

// maxDescription bounds, in bytes, the provider's error_description kept
// in a message.
const maxDescription = 200

// ParseCallback reads the authorization code from the provider's callback
// parameters (the query, or the form for Apple's form_post). Checking the
// state parameter is the caller's job, before this.
//
// A provider error maps to a stable code: access_denied to
// oauth_access_denied, anything else (invalid_scope, server_error,
// temporarily_unavailable, ...) to oauth_provider_error, with the provider's
// error code and a sanitised error_description in the long message. A
// callback with neither an error nor a code is oauth_state_invalid with
// param "code": it is not an answer from the provider to a flow we started,
// and the person can only start again.
func ParseCallback(values url.Values) (code string, err error) {
	if e := values.Get("error"); e != "" {
		name := sanitizeErrorCode(e)
		long := "The provider answered " + name + "."
		if d := sanitizeDescription(values.Get("error_description")); d != "" {
			long += " " + d
		}
		c := latchkey.CodeOAuthProviderError
		if name == "access_denied" {
			c = latchkey.CodeOAuthAccessDenied
		}
		return "", latchkey.Errorf(c, "", "%s", long)
	}
	code = values.Get("code")
	if code == "" {
		return "", latchkey.Errorf(latchkey.CodeOAuthStateInvalid, "code", "The callback has no authorization code.")
	}
	if len(code) > 4096 {
		return "", latchkey.Errorf(latchkey.CodeOAuthStateInvalid, "code", "The authorization code is too long.")
	}
	return code, nil
}

// sanitizeErrorCode keeps an OAuth error code to letters, digits, '_', '-'
// and '.' (every registered code is lower-case words joined by '_') and a
// sane length.
func sanitizeErrorCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 64 {
			break
		}
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "an unnamed error"
	}
	return b.String()
}

// sanitizeDescription keeps printable characters of a provider's
// error_description, collapses whitespace and bounds its length, so it can
// be shown and logged without breaking either.
func sanitizeDescription(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if b.Len() >= maxDescription {
			b.WriteString("...")
			break
		}
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case !unicode.IsPrint(r) || r == '<' || r == '>':
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
