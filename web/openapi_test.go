package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/wire"
	"gopkg.in/yaml.v3"
)

// specPath is the OpenAPI description of the Backend API, relative to this
// package's directory (where go test runs).
const specPath = "../docs/api/backend.yaml"

var specMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func loadSpec(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse %s: %v", specPath, err)
	}
	return doc
}

// asMap returns v as a string-keyed map (yaml.v3 makes map[any]any when a
// key is not a string, such as an unquoted status code).
func asMap(v any) map[string]any {
	switch m := v.(type) {
	case map[string]any:
		return m
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[fmt.Sprint(k)] = v
		}
		return out
	}
	return nil
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asSliceOf(v) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

func asSliceOf(v any) []any {
	s, _ := v.([]any)
	return s
}

// resolve follows a local "#/a/b" reference.
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m := asMap(cur)
		if m == nil {
			return nil, false
		}
		var ok bool
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// deref resolves v while it is a reference object.
func deref(doc map[string]any, v any) map[string]any {
	for i := 0; i < 10; i++ {
		m := asMap(v)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		if v, ok = resolve(doc, ref); !ok {
			return nil
		}
	}
	return nil
}

type specOp struct {
	method, path string
	op           map[string]any
	params       []any // path-level, then operation-level
}

func (o specOp) String() string { return strings.ToUpper(o.method) + " " + o.path }

func specOps(t *testing.T, doc map[string]any) []specOp {
	t.Helper()
	paths := asMap(doc["paths"])
	if len(paths) == 0 {
		t.Fatal("the spec has no paths")
	}
	var out []specOp
	for path, item := range paths {
		item := asMap(item)
		for _, m := range specMethods {
			if op, ok := item[m]; ok {
				params := append(append([]any{}, asSliceOf(item["parameters"])...), asSliceOf(asMap(op)["parameters"])...)
				out = append(out, specOp{method: m, path: path, op: asMap(op), params: params})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

func isBackendPath(p string) bool { return p == "/api/v1" || strings.HasPrefix(p, "/api/v1/") }

// setDiff returns the elements of a missing from b.
func setDiff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

func TestOpenAPIVersion(t *testing.T) {
	doc := loadSpec(t)
	v := fmt.Sprint(doc["openapi"])
	if !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
}

// TestOpenAPIRoutes keeps the spec and routes.go in step: the /api/v1 paths
// equal BackendRoutes, and every other path is a public or ops route (and
// every public or ops route is described).
func TestOpenAPIRoutes(t *testing.T) {
	doc := loadSpec(t)
	var specBackend, specOther []string
	for _, o := range specOps(t, doc) {
		if isBackendPath(o.path) {
			specBackend = append(specBackend, o.String())
		} else {
			specOther = append(specOther, o.String())
		}
	}
	s := &Server{}
	backend := s.BackendRoutes()
	if len(backend) == 0 {
		t.Fatal("BackendRoutes returned nothing")
	}
	var other []string
	for _, rt := range s.routes() {
		if rt.Surface == surfacePublic || rt.Surface == surfaceOps { // the Frontend API has its own spec
			other = append(other, rt.Method+" "+rt.Path)
		}
	}
	for _, r := range setDiff(backend, specBackend) {
		t.Errorf("backend route %s is in routes.go but not in %s", r, specPath)
	}
	for _, r := range setDiff(specBackend, backend) {
		t.Errorf("%s describes %s, which routes.go does not serve", specPath, r)
	}
	for _, r := range setDiff(other, specOther) {
		t.Errorf("public/ops route %s is in routes.go but not in %s", r, specPath)
	}
	for _, r := range setDiff(specOther, other) {
		t.Errorf("%s describes %s, which routes.go does not serve", specPath, r)
	}
}

// TestOpenAPIErrorCodes checks the ErrorCode enum against the catalog and
// its x-http-status map against the status each code is sent with.
func TestOpenAPIErrorCodes(t *testing.T) {
	doc := loadSpec(t)
	schema := deref(doc, map[string]any{"$ref": "#/components/schemas/ErrorCode"})
	if schema == nil {
		t.Fatal("components.schemas.ErrorCode is missing")
	}
	enum := asStrings(schema["enum"])
	var catalog []string
	for c := range latchkey.Messages {
		catalog = append(catalog, string(c))
	}
	if len(uniq(enum)) != len(enum) {
		t.Errorf("ErrorCode enum lists a code twice: %v", enum)
	}
	for _, c := range setDiff(catalog, enum) {
		t.Errorf("code %q is in latchkey.Messages but not in the ErrorCode enum", c)
	}
	for _, c := range setDiff(enum, catalog) {
		t.Errorf("the ErrorCode enum has %q, which is not in latchkey.Messages", c)
	}
	statuses := asMap(schema["x-http-status"])
	for _, c := range catalog {
		want, ok := statusOf[latchkey.Code(c)]
		if !ok {
			want = http.StatusInternalServerError
		}
		got, ok := statuses[c]
		if !ok {
			t.Errorf("ErrorCode x-http-status has no entry for %q (sent as %d)", c, want)
		} else if fmt.Sprint(got) != strconv.Itoa(want) {
			t.Errorf("ErrorCode x-http-status[%q] = %v, but web/errors.go sends %d", c, got, want)
		}
	}
	for c := range statuses {
		if _, ok := latchkey.Messages[latchkey.Code(c)]; !ok {
			t.Errorf("ErrorCode x-http-status has %q, which is not in latchkey.Messages", c)
		}
	}
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

var (
	pathParam = regexp.MustCompile(`\{([^}]+)\}`)
	statusKey = regexp.MustCompile(`^([1-5]([0-9][0-9]|XX)|default)$`)
)

// TestOpenAPIOperations checks each operation: a unique operationId, a 2xx
// response, declared path parameters, the trace header on every response,
// and, on the Backend API, the secret key, 401 and 500, and the Error shape
// on every error.
func TestOpenAPIOperations(t *testing.T) {
	doc := loadSpec(t)
	globalSecurity := asSliceOf(doc["security"])
	ids := map[string]string{}
	for _, o := range specOps(t, doc) {
		id, _ := o.op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", o)
		} else if prev, dup := ids[id]; dup {
			t.Errorf("operationId %q is used by %s and %s", id, prev, o)
		} else {
			ids[id] = o.String()
		}

		responses := asMap(o.op["responses"])
		has2xx := false
		for code, resp := range responses {
			if !statusKey.MatchString(code) {
				t.Errorf("%s has response %q, which is not a status code", o, code)
			}
			if strings.HasPrefix(code, "2") && statusKey.MatchString(code) {
				has2xx = true
			}
			r := deref(doc, resp)
			if r == nil {
				t.Errorf("%s response %s does not resolve", o, code)
				continue
			}
			if _, ok := asMap(r["headers"])[TraceHeader]; !ok {
				t.Errorf("%s response %s does not declare the %s header", o, code, TraceHeader)
			}
			status, _ := strconv.Atoi(code)
			if isBackendPath(o.path) && status >= 400 {
				schema := asMap(asMap(asMap(r["content"])["application/json"])["schema"])
				if schema["$ref"] != "#/components/schemas/Error" {
					t.Errorf("%s response %s is not the Error schema", o, code)
				}
			}
		}
		if !has2xx {
			t.Errorf("%s has no 2xx response", o)
		}

		declared := map[string]bool{}
		for _, p := range o.params {
			p := deref(doc, p)
			if p["in"] == "path" {
				declared[fmt.Sprint(p["name"])] = true
				if p["required"] != true {
					t.Errorf("%s: path parameter %v is not required: true", o, p["name"])
				}
			}
		}
		for _, m := range pathParam.FindAllStringSubmatch(o.path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter {%s} is not declared", o, m[1])
			}
		}
		for name := range declared {
			if !strings.Contains(o.path, "{"+name+"}") {
				t.Errorf("%s declares path parameter %q, which is not in the path", o, name)
			}
		}

		if isBackendPath(o.path) {
			security := globalSecurity
			if s, ok := o.op["security"]; ok {
				security = asSliceOf(s)
			}
			if len(security) == 0 || len(asMap(security[0])) == 0 {
				t.Errorf("%s does not require the secret key", o)
			}
			for _, code := range []string{"401", "500"} {
				if _, ok := responses[code]; !ok {
					t.Errorf("%s does not document %s (every Backend API call can get one)", o, code)
				}
			}
		}
	}
}

// TestOpenAPIRefs checks that every $ref in the spec resolves.
func TestOpenAPIRefs(t *testing.T) {
	doc := loadSpec(t)
	n := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		if m := asMap(v); m != nil {
			if ref, ok := m["$ref"].(string); ok {
				n++
				if _, ok := resolve(doc, ref); !ok {
					t.Errorf("%s: $ref %q does not resolve", path, ref)
				}
			}
			for k, x := range m {
				walk(path+"/"+k, x)
			}
		}
		for i, x := range asSliceOf(v) {
			walk(path+"/"+strconv.Itoa(i), x)
		}
	}
	walk("#", doc)
	if n == 0 {
		t.Error("the spec has no $ref at all; the walk is broken")
	}
}

// TestOpenAPISchemasMatchCode checks that the schemas name exactly the JSON
// fields of the Go types that encode or decode them, recursively into nested
// objects, and that response schemas require exactly the fields that are
// always sent (not omitempty).
func TestOpenAPISchemasMatchCode(t *testing.T) {
	doc := loadSpec(t)
	cases := []struct {
		schema   string
		typ      any
		response bool
		skip     []string // Go fields the schema leaves out on purpose
	}{
		{"User", userJSON{}, true, nil},
		{"EmailAddress", identifierJSON{}, true, []string{"phone_number"}},
		{"PhoneNumber", identifierJSON{}, true, []string{"email_address"}},
		{"Verification", verificationJSON{}, true, nil},
		{"UserList", listJSON[userJSON]{}, true, nil},
		{"Deleted", deletedJSON{}, true, nil},
		{"Instance", instanceJSON{}, true, nil},
		{"Settings", latchkey.Settings{}, true, nil},
		{"SettingsPatch", latchkey.Settings{}, false, nil},
		{"APIKey", apiKeyJSON{}, true, []string{"secret"}},
		{"APIKeyWithSecret", apiKeyJSON{}, false, nil},
		{"APIKeyList", listJSON[apiKeyJSON]{}, true, nil},
		{"Error", errorBody{}, true, nil},
		{"ErrorItem", errorJSON{}, true, nil},
		{"CreateUserParams", auth.CreateUserParams{}, false, nil},
		{"UpdateUserParams", auth.UpdateUserParams{}, false, nil},
		{"MetadataPatch", auth.MetadataPatch{}, false, nil},
		{"Session", backendSessionJSON{}, true, nil},
		{"SessionList", listJSON[backendSessionJSON]{}, true, nil},
		{"Token", tokenJSON{}, true, nil},
		{"Client", backendClientJSON{}, true, nil},
		{"OAuthProvider", oauthProviderJSON{}, true, nil},
		{"OAuthProviderList", listJSON[oauthProviderJSON]{}, true, nil},
		{"CreateOAuthProviderParams", oauthProviderParams{}, false, nil},
		{"UpdateOAuthProviderParams", oauthProviderParams{}, false, nil},
		{"WebhookEndpoint", webhookEndpointJSON{}, true, []string{"secret"}},
		{"WebhookEndpointWithSecret", webhookEndpointJSON{}, false, nil},
		{"WebhookEndpointList", listJSON[webhookEndpointJSON]{}, true, nil},
		{"WebhookMissed", missedJSON{}, true, nil},
		{"WebhookSecret", webhookSecretJSON{}, true, nil},
		{"WebhookHeaders", webhookHeadersJSON{}, true, nil},
		{"WebhookAttempt", webhookAttemptJSON{}, true, nil},
		{"WebhookAttemptList", webhookAttemptListJSON{}, true, nil},
		{"WebhookReplay", webhookReplayJSON{}, true, nil},
		{"CreateWebhookEndpointParams", webhookEndpointParams{}, false, nil},
		{"UpdateWebhookEndpointParams", webhookEndpointParams{}, false, []string{"secret", "enabled"}},
		{"Event", wire.Event{}, true, nil},
		{"EventPage", eventPageJSON{}, true, nil},
		{"Email", wire.Email{}, true, nil},
	}
	for _, c := range cases {
		schema := deref(doc, map[string]any{"$ref": "#/components/schemas/" + c.schema})
		if schema == nil {
			t.Errorf("components.schemas.%s is missing", c.schema)
			continue
		}
		compareSchema(t, doc, c.schema, schema, reflect.TypeOf(c.typ), c.response, c.skip)
	}
}

type jsonField struct {
	name      string
	omitempty bool
	typ       reflect.Type
}

// jsonFields lists the JSON fields encoding/json uses for struct type t,
// flattening untagged embedded structs.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name, strings.Contains(opts, "omitempty"), f.Type})
	}
	return out
}

// schemaProps returns the properties and required names of schema, merging
// allOf branches.
func schemaProps(doc, schema map[string]any) (map[string]any, []string) {
	props := map[string]any{}
	var required []string
	for k, v := range asMap(schema["properties"]) {
		props[k] = v
	}
	required = append(required, asStrings(schema["required"])...)
	for _, sub := range asSliceOf(schema["allOf"]) {
		p, r := schemaProps(doc, deref(doc, sub))
		for k, v := range p {
			props[k] = v
		}
		required = append(required, r...)
	}
	return props, required
}

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// alwaysSent are omitempty fields that the code never leaves empty, so the
// schema may require them.
var alwaysSent = map[string]bool{
	"EmailAddress.email_address": true, // an email identifier has a value
	"PhoneNumber.phone_number":   true, // a phone identifier has a value
	"ErrorItem.meta.param_name":  true, // meta is sent only when there is a param
}

func compareSchema(t *testing.T, doc map[string]any, where string, schema map[string]any, typ reflect.Type, response bool, skip []string) {
	t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	props, required := schemaProps(doc, schema)
	var goNames, always []string
	fields := map[string]jsonField{}
	for _, f := range jsonFields(typ) {
		if slices.Contains(skip, f.name) {
			continue
		}
		goNames = append(goNames, f.name)
		fields[f.name] = f
		if !f.omitempty || alwaysSent[where+"."+f.name] {
			always = append(always, f.name)
		}
	}
	var specNames []string
	for k := range props {
		specNames = append(specNames, k)
	}
	for _, n := range setDiff(goNames, specNames) {
		t.Errorf("schema %s lacks field %q of Go type %s", where, n, typ)
	}
	for _, n := range setDiff(specNames, goNames) {
		t.Errorf("schema %s has field %q, which Go type %s does not have", where, n, typ)
	}
	if response {
		for _, n := range setDiff(always, required) {
			t.Errorf("schema %s: %q is always sent but not required", where, n)
		}
		for _, n := range setDiff(required, always) {
			t.Errorf("schema %s: %q is required but omitted when empty (or absent)", where, n)
		}
	}
	for _, n := range goNames {
		ft := fields[n].typ
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || ft == rawMessageType || props[n] == nil {
			continue
		}
		sub := deref(doc, props[n])
		if sub == nil {
			t.Errorf("schema %s.%s does not resolve", where, n)
			continue
		}
		compareSchema(t, doc, where+"."+n, sub, ft, response, nil)
	}
}
