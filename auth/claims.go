package auth

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// renderClaims fills the instance's custom-claims template for user. String
// values of the form "{{user.FIELD}}" are replaced (see
// latchkey.SessionSettings.Claims); nested objects and arrays are rendered
// recursively; everything else is copied. An unknown field renders as null.
func renderClaims(tmpl map[string]any, u *latchkey.User) map[string]any {
	if len(tmpl) == 0 {
		return nil
	}
	out := make(map[string]any, len(tmpl))
	for k, v := range tmpl {
		out[k] = renderClaimValue(v, u)
	}
	return out
}

func renderClaimValue(v any, u *latchkey.User) any {
	switch t := v.(type) {
	case string:
		if strings.HasPrefix(t, "{{") && strings.HasSuffix(t, "}}") {
			return userField(strings.TrimSpace(t[2:len(t)-2]), u)
		}
		return t
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, sub := range t {
			m[k] = renderClaimValue(sub, u)
		}
		return m
	case []any:
		out := make([]any, len(t))
		for i, sub := range t {
			out[i] = renderClaimValue(sub, u)
		}
		return out
	default:
		return v
	}
}

func userField(path string, u *latchkey.User) any {
	switch path {
	case "user.id":
		return u.ID
	case "user.first_name":
		return u.FirstName
	case "user.last_name":
		return u.LastName
	case "user.username":
		return u.Username()
	case "user.primary_email_address":
		for _, e := range u.EmailAddresses() {
			if e.ID == u.PrimaryEmailAddressID {
				return e.Value
			}
		}
		return nil
	}
	if rest, ok := strings.CutPrefix(path, "user.public_metadata"); ok && (rest == "" || strings.HasPrefix(rest, ".")) {
		// Numbers stay json.Numbers, so large integers (IDs) reach the
		// token exactly instead of rounded through float64.
		dec := json.NewDecoder(bytes.NewReader(u.PublicMetadata))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return nil
		}
		for _, key := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
			if key == "" {
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		}
		return v
	}
	return nil
}
