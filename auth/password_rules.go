package auth

import (
	"context"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password/breach"
)

// checkPasswordStrength refuses common and breached passwords and passwords
// built from the person's own details (NIST SP 800-63B rev 4 section
// 3.1.1.2; OWASP ASVS 5.0 V6.2.4 and V6.2.11). When the instance configures
// an HIBP range API, it is asked too; its failures are ignored (fail open),
// since the embedded list already covers the common cases.
func checkPasswordStrength(ctx context.Context, pw string, words []string, set *latchkey.Settings) error {
	if breach.Common(pw) {
		return latchkey.Errorf(latchkey.CodePasswordPwned, "password", "This password is on a list of common or breached passwords.")
	}
	if breach.ContextMatch(pw, words) {
		return latchkey.Errorf(latchkey.CodePasswordPersonal, "password", "Passwords cannot contain your email address, username or name.")
	}
	if set.Password.HIBPURL != "" {
		if n, err := (&breach.HIBP{BaseURL: set.Password.HIBPURL}).Pwned(ctx, pw); err == nil && n > 0 {
			return latchkey.Errorf(latchkey.CodePasswordPwned, "password", "This password has appeared in %d known data breaches.", n)
		}
	}
	return nil
}

// contextWords are the details of a person a password must not contain.
func contextWords(set *latchkey.Settings, email, username, first, last string) []string {
	words := []string{username, first, last, set.Branding.ApplicationName}
	if local, domain, ok := strings.Cut(email, "@"); ok {
		words = append(words, local)
		if label, _, ok := strings.Cut(domain, "."); ok {
			words = append(words, label)
		}
	}
	return words
}
