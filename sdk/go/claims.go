package latchkey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Claims are the verified claims of a session token.
//
// Claims returned by Verify are shared by every call that verifies the same
// token string (they come from the verified-token cache): treat them, and
// the maps and slices inside them, as read-only.
type Claims struct {
	// Issuer (iss) is the Latchkey server's public URL.
	Issuer string
	// Subject (sub) is the user id, "user_...".
	Subject string
	// SessionID (sid) is the session id, "sess_...".
	SessionID string
	// AuthorizedParty (azp) is the origin that asked for the token, or ""
	// when the token was minted server-side.
	AuthorizedParty string
	// IssuedAt (iat) is when the token was minted.
	IssuedAt time.Time
	// NotBefore (nbf) is when the token becomes valid; zero when absent.
	NotBefore time.Time
	// ExpiresAt (exp) is when the token stops being valid.
	ExpiresAt time.Time
	// ID (jti) is the token's unique id.
	ID string
	// Version (v) is the claims version; 1 today, 0 when absent.
	Version int
	// FactorVerificationAge (fva) is the minutes since the first and the
	// second factor were verified; the second is -1 when no second factor
	// was used. Both are -1 when the claim is absent.
	FactorVerificationAge [2]int
	// Organization (o) is the raw JSON of the active organization, or nil.
	// Its shape is specified with organizations.
	Organization json.RawMessage
	// Actor (act) is the raw JSON of the impersonator, or nil when nobody
	// is impersonating. Its shape is specified with impersonation.
	Actor json.RawMessage
	// Custom holds every other claim (claims from the instance's token
	// template), decoded with encoding/json into map[string]any values.
	Custom map[string]any
}

// errMalformed marks a token that is not well-formed.
var errMalformed = errors.New("malformed token")

// maxNumericDate bounds iat, nbf and exp to year 9999, so time arithmetic
// on them cannot overflow.
const maxNumericDate = 253402300799

// decodeObject calls fn for each member of the JSON object b, in order. It
// rejects anything but exactly one object, and duplicate member names: a
// verifier and another reader must never disagree about which "exp" counts.
//
// json.Valid checks the whole text first, so the walk below only has to
// find the ends of names and values in text known to be valid JSON; that
// is several times faster than json.Decoder's token stream, and this runs
// on every new token.
func decodeObject(b []byte, fn func(name string, raw json.RawMessage) error) error {
	if !json.Valid(b) {
		return fmt.Errorf("%w: invalid JSON", errMalformed)
	}
	i := skipSpace(b, 0)
	if b[i] != '{' {
		return fmt.Errorf("%w: not a JSON object", errMalformed)
	}
	i = skipSpace(b, i+1)
	if b[i] == '}' {
		return nil // json.Valid: only space can follow
	}
	var names []string
	var seen map[string]struct{} // once there are many names
	for {
		end := stringEnd(b, i)
		name, err := jsonString(b[i:end])
		if err != nil {
			return err
		}
		if seen == nil && len(names) == 16 {
			seen = make(map[string]struct{}, 32)
			for _, n := range names {
				seen[n] = struct{}{}
			}
		}
		dup := false
		if seen != nil {
			_, dup = seen[name]
			seen[name] = struct{}{}
		} else {
			for _, n := range names {
				dup = dup || n == name
			}
			names = append(names, name)
		}
		if dup {
			return fmt.Errorf("%w: duplicate member %q", errMalformed, name)
		}
		i = skipSpace(b, skipSpace(b, end)+1) // past the colon
		end = valueEnd(b, i)
		if err := fn(name, b[i:end]); err != nil {
			return err
		}
		i = skipSpace(b, end)
		if b[i] == '}' {
			return nil
		}
		i = skipSpace(b, i+1) // past the comma
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the valid JSON string at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; ; j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
}

// valueEnd returns the index just past the valid JSON value at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
	default: // number, true, false, null
		j := i
		for j < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[j])) {
			j++
		}
		return j
	}
}

// jsonString decodes a valid JSON string literal, copying it as is when
// it has no escapes.
func jsonString(raw []byte) (string, error) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: %v", errMalformed, err)
	}
	return s, nil
}

// header is the part of a JOSE header the verifier reads.
type header struct {
	alg, kid, typ string
	hasAlg        bool
}

func parseHeader(b []byte) (header, error) {
	var h header
	err := decodeObject(b, func(name string, raw json.RawMessage) error {
		var err error
		switch name {
		case "alg":
			h.alg, err = rawString(name, raw)
			h.hasAlg = true
		case "kid":
			h.kid, err = rawString(name, raw)
		case "typ":
			h.typ, err = rawString(name, raw)
		case "crit":
			// RFC 7515 §4.1.11: a recipient must reject critical
			// extensions it does not understand, and it understands none.
			err = fmt.Errorf("%w: crit header", errMalformed)
		}
		// jku, jwk, x5u, x5c and the rest are ignored: keys come only
		// from the verifier's own configuration.
		return err
	})
	if err != nil {
		return header{}, err
	}
	if !h.hasAlg {
		return header{}, fmt.Errorf("%w: no alg", errMalformed)
	}
	if h.typ != "" && h.typ != "JWT" && h.typ != "jwt" {
		return header{}, fmt.Errorf("%w: typ %q", errMalformed, h.typ)
	}
	return h, nil
}

// parseClaims decodes a token payload strictly: registered claims must have
// their JSON type, exp, iat and sub are required, and no claim may appear
// twice.
func parseClaims(b []byte) (*Claims, error) {
	c := &Claims{FactorVerificationAge: [2]int{-1, -1}}
	var hasExp, hasIat bool
	err := decodeObject(b, func(name string, raw json.RawMessage) error {
		var err error
		switch name {
		case "iss":
			c.Issuer, err = rawString(name, raw)
		case "sub":
			c.Subject, err = rawString(name, raw)
		case "sid":
			c.SessionID, err = rawString(name, raw)
		case "azp":
			c.AuthorizedParty, err = rawString(name, raw)
		case "jti":
			c.ID, err = rawString(name, raw)
		case "iat":
			c.IssuedAt, err = rawNumericDate(name, raw)
			hasIat = true
		case "nbf":
			c.NotBefore, err = rawNumericDate(name, raw)
		case "exp":
			c.ExpiresAt, err = rawNumericDate(name, raw)
			hasExp = true
		case "v":
			var n int64
			n, err = rawInt(name, raw)
			if err == nil && (n < 0 || n > math.MaxInt32) {
				err = fmt.Errorf("%w: claim v out of range", errMalformed)
			}
			c.Version = int(n)
		case "fva":
			c.FactorVerificationAge, err = rawFVA(raw)
		case "o":
			c.Organization, err = rawObject(name, raw)
		case "act":
			c.Actor, err = rawObject(name, raw)
		default:
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return fmt.Errorf("%w: claim %q: %v", errMalformed, name, err)
			}
			if c.Custom == nil {
				c.Custom = make(map[string]any)
			}
			c.Custom[name] = v
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	switch {
	case !hasExp:
		return nil, fmt.Errorf("%w: no exp claim", errMalformed)
	case !hasIat:
		return nil, fmt.Errorf("%w: no iat claim", errMalformed)
	case c.Subject == "":
		return nil, fmt.Errorf("%w: no sub claim", errMalformed)
	}
	return c, nil
}

func rawString(name string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("%w: %q is not a string", errMalformed, name)
	}
	return jsonString(raw)
}

// rawNumber returns raw if it is a JSON number.
func rawNumber(name string, raw json.RawMessage) (string, error) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return "", fmt.Errorf("%w: %q is not a number", errMalformed, name)
	}
	return string(raw), nil
}

func rawInt(name string, raw json.RawMessage) (int64, error) {
	s, err := rawNumber(name, raw)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q is not an integer", errMalformed, name)
	}
	return n, nil
}

// rawNumericDate parses a NumericDate (RFC 7519 §2): seconds since the
// epoch, possibly fractional, truncated to whole seconds.
func rawNumericDate(name string, raw json.RawMessage) (time.Time, error) {
	s, err := rawNumber(name, raw)
	if err != nil {
		return time.Time{}, err
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 || f > maxNumericDate {
			return time.Time{}, fmt.Errorf("%w: %q out of range", errMalformed, name)
		}
		n = int64(f)
	}
	if n < 0 || n > maxNumericDate {
		return time.Time{}, fmt.Errorf("%w: %q out of range", errMalformed, name)
	}
	return time.Unix(n, 0), nil
}

func rawFVA(raw json.RawMessage) ([2]int, error) {
	// raw is valid JSON: an array of two integers has exactly one comma
	// outside any string, and a string element fails ParseInt anyway.
	if len(raw) < 2 || raw[0] != '[' {
		return [2]int{}, errFVA
	}
	first, second, ok := bytes.Cut(raw[1:len(raw)-1], []byte(","))
	if !ok {
		return [2]int{}, errFVA
	}
	var out [2]int
	for i, p := range [2][]byte{first, second} {
		n, err := strconv.ParseInt(string(bytes.TrimSpace(p)), 10, 64)
		if err != nil || n < -1 || n > math.MaxInt32 {
			return [2]int{}, errFVA
		}
		out[i] = int(n)
	}
	return out, nil
}

var errFVA = fmt.Errorf("%w: fva is not a pair of integers", errMalformed)

// rawObject returns a JSON object claim; null counts as absent.
func rawObject(name string, raw json.RawMessage) (json.RawMessage, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("%w: %q is not an object", errMalformed, name)
	}
	return raw, nil
}
