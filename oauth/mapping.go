package oauth

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// maxPathSegments bounds a mapping's dotted path.
const maxPathSegments = 16

// decodeJSON decodes a JSON document keeping numbers exact (GitHub and
// Discord IDs are large integers).
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errTrailingData
	}
	return v, nil
}

type jsonError string

func (e jsonError) Error() string { return string(e) }

const errTrailingData = jsonError("trailing data after the JSON document")

// lookup follows a dotted path ("data.email", "emails.0.value") through a
// decoded JSON document: a segment names an object member, or indexes an
// array when it is a decimal number. It reports whether the path exists.
func lookup(doc any, path string) (any, bool) {
	if path == "" {
		return nil, false
	}
	segs := strings.Split(path, ".")
	if len(segs) > maxPathSegments {
		return nil, false
	}
	cur := doc
	for _, seg := range segs {
		if seg == "" {
			return nil, false
		}
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[seg]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// lookupString returns the value at path as a string: strings as they are,
// numbers in their JSON form, booleans as "true"/"false"; anything else, or
// a missing path, as "".
func lookupString(doc any, path string) string {
	v, _ := lookup(doc, path)
	return asString(v)
}

func asString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// lookupBool returns the value at path as a boolean: true for JSON true and
// for the string "true" (Apple sends email_verified as a string).
func lookupBool(doc any, path string) bool {
	v, _ := lookup(doc, path)
	return asBool(v)
}

func asBool(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true")
	}
	return false
}
