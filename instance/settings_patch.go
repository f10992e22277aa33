package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// knownKeys are the dotted paths of every setting and objectKeys those
// that hold nested settings, derived from the JSON of the default settings so
// they can never drift from the struct.
var knownKeys, objectKeys = func() (known, objects map[string]bool) {
	raw, _ := json.Marshal(latchkey.DefaultSettings())
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	known, objects = map[string]bool{}, map[string]bool{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			known[prefix+k] = true
			if sub, ok := v.(map[string]any); ok {
				objects[prefix+k] = true
				walk(prefix+k+".", sub)
			}
		}
	}
	walk("", doc)
	return known, objects
}()

// checkKeys returns the dotted leaf keys of doc in sorted order, or an error
// naming the first unknown one.
func checkKeys(doc map[string]any) ([]string, error) {
	var keys []string
	var walk func(prefix string, m map[string]any) error
	walk = func(prefix string, m map[string]any) error {
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			path := prefix + k
			if !knownKeys[path] {
				return latchkey.Errorf(latchkey.CodeFormParamUnknown, path, "There is no setting named %q.", path)
			}
			if sub, ok := m[k].(map[string]any); ok && objectKeys[path] && path != "session.claims" { // claims is free-form
				if err := walk(path+".", sub); err != nil {
					return err
				}
				continue
			}
			keys = append(keys, path)
		}
		return nil
	}
	return keys, walk("", doc)
}

// applyPatch merges patch into the current settings JSON (RFC 7396), then
// decodes the result onto the defaults (so null resets a key), validates it
// and returns it re-encoded.
func applyPatch(current, patch []byte) ([]byte, error) {
	var cur, p map[string]any
	if err := json.Unmarshal(current, &cur); err != nil {
		return nil, fmt.Errorf("stored settings are not JSON: %w", err)
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The settings must be a JSON object.")
	}
	if _, err := checkKeys(p); err != nil {
		return nil, err
	}
	merged, err := json.Marshal(mergePatch(cur, p))
	if err != nil {
		return nil, err
	}
	s, err := decodeSettings(merged)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// mergePatch implements RFC 7396 section 2.
func mergePatch(target any, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	out := make(map[string]any, len(tm))
	for k, v := range tm {
		out[k] = v
	}
	for k, v := range pm {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = mergePatch(out[k], v)
	}
	return out
}

// decodeSettings decodes settings JSON onto the defaults, strictly.
func decodeSettings(raw []byte) (*latchkey.Settings, error) {
	s := latchkey.DefaultSettings()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			param := settingPath(te.Field)
			return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "%s must be a JSON %s.", param, jsonKind(te.Type.Kind().String()))
		}
		if strings.Contains(err.Error(), "unknown field") {
			return nil, latchkey.Errorf(latchkey.CodeFormParamUnknown, "", "The settings contain an unknown key.")
		}
		return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, "", "The settings could not be read.")
	}
	return s, nil
}

// settingPath turns the field path of a JSON decoding error into the
// setting's dotted name. encoding/json names an embedded struct by its Go
// type ("username.IdentifierSettings.enabled"); setting names are lower-case
// JSON names, so capitalised segments are dropped ("username.enabled").
func settingPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return "number"
	case goKind == "bool":
		return "boolean"
	case goKind == "slice":
		return "array"
	case goKind == "struct", goKind == "map":
		return "object"
	default:
		return goKind
	}
}
