package latchkey

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on identifiers. An email address is at most 254 octets (RFC 5321
// section 4.5.3.1.3 path limit minus the angle brackets); E.164 allows 15 digits.
const (
	MaxEmailLength = 254
	maxLocalPart   = 64
	minPhoneDigits = 7
	maxPhoneDigits = 15
	maxUsername    = 64
)

// NormalizeEmail validates an email address and returns the value to show
// (trimmed, domain lower-cased) and the unique key (all lower-cased: email
// addresses are unique case-insensitively). It rejects anything that is not a
// plain addr-spec: display names, comments, quoted local parts, IP literals.
func NormalizeEmail(s string) (value, normalized string, err error) {
	s = strings.TrimSpace(s)
	bad := func(msg string) (string, string, error) {
		return "", "", Errorf(CodeFormParamInvalid, "email_address", "%s", msg)
	}
	if s == "" {
		return bad("Enter an email address.")
	}
	if len(s) > MaxEmailLength || !utf8.ValidString(s) {
		return bad("The email address is too long or not valid UTF-8.")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return bad("An email address has the form name@example.com.")
	}
	// The limits hold for the unique key as well as for the input: lower-casing
	// can lengthen a string (U+023A is 2 bytes, its lower case U+2C65 3).
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if len(local) > maxLocalPart || len(strings.ToLower(local)) > maxLocalPart {
		return bad("The part before the @ is longer than 64 characters.")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`"(),:;<>[\]`, r) {
			return bad("The email address contains a character that is not allowed.")
		}
	}
	if strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return bad("The part before the @ cannot start or end with a dot or contain two dots in a row.")
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return bad("The domain must contain a dot, as in example.com.")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return bad("The domain is not valid.")
		}
	}
	// No top-level domain is all digits (RFC 3696 section 2), so this is an IP
	// address written without brackets: as unwelcome as an IP literal.
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return bad("The domain must be a name such as example.com, not an IP address.")
	}
	value = local + "@" + domain
	normalized = strings.ToLower(value)
	if len(value) > MaxEmailLength || len(normalized) > MaxEmailLength {
		return bad("The email address is too long.")
	}
	return value, normalized, nil
}

// NormalizePhone validates a phone number in international format and returns
// it as E.164 ("+14155550100") for both the shown value and the unique key.
// Spaces, dashes, dots and parentheses are accepted as separators.
func NormalizePhone(s string) (value, normalized string, err error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "+") {
		return "", "", Errorf(CodeFormParamInvalid, "phone_number", "Enter the phone number in international format, starting with + and the country code.")
	}
	var b strings.Builder
	b.WriteByte('+')
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", "", Errorf(CodeFormParamInvalid, "phone_number", "A phone number may contain only digits and the separators space, dash, dot and parentheses.")
		}
	}
	n := b.String()
	digits := len(n) - 1
	if digits < minPhoneDigits || digits > maxPhoneDigits || n[1] == '0' {
		return "", "", Errorf(CodeFormParamInvalid, "phone_number", "A phone number has between 7 and 15 digits after the +, and the country code does not start with 0.")
	}
	return n, n, nil
}

// NormalizeUsername validates a username against the length limits and the
// allowed characters (letters, digits, '_', '-', '.') and returns it
// lower-cased: usernames are unique case-insensitively.
func NormalizeUsername(s string, minLen, maxLen int) (value, normalized string, err error) {
	s = strings.TrimSpace(s)
	if maxLen <= 0 || maxLen > maxUsername {
		maxLen = maxUsername
	}
	if minLen <= 0 {
		minLen = 1
	}
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen {
		return "", "", Errorf(CodeFormParamInvalid, "username", "A username has between %d and %d characters.", minLen, maxLen)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return "", "", Errorf(CodeFormParamInvalid, "username", "A username may contain only letters, digits, '_', '-' and '.'.")
		}
	}
	s = strings.ToLower(s)
	return s, s, nil
}
