package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

func TestStatusOfCoversCatalog(t *testing.T) {
	t.Parallel()
	for code, msg := range latchkey.Messages {
		if strings.TrimSpace(msg) == "" {
			t.Errorf("code %s has an empty message", code)
		}
		status, ok := statusOf[code]
		if !ok {
			t.Errorf("code %s has no HTTP status in statusOf", code)
			continue
		}
		if status < 400 || status > 599 {
			t.Errorf("code %s has status %d, want 4xx or 5xx", code, status)
		}
	}
	for code := range statusOf {
		if _, ok := latchkey.Messages[code]; !ok {
			t.Errorf("statusOf has %s, which is not in latchkey.Messages", code)
		}
	}
}

// backendPaths returns every Backend API route with {id} filled in.
func backendPaths(s *Server) [][2]string {
	var out [][2]string
	for _, rt := range s.routes() {
		if rt.Surface != surfaceBackend {
			continue
		}
		id := latchkey.NewID(latchkey.PrefixUser)
		if strings.HasPrefix(rt.Path, "/api/v1/api_keys/") {
			id = latchkey.NewID(latchkey.PrefixAPIKey)
		}
		out = append(out, [2]string{rt.Method, strings.ReplaceAll(rt.Path, "{id}", id)})
	}
	return out
}

func TestBackendAuthentication(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		wrong := "sk_test_" + latchkey.RandomString(40)
		live := "sk_live_" + latchkey.RandomString(40)
		cases := []struct {
			name    string
			headers []string
			code    latchkey.Code
			long    string // part of long_message, if any
		}{
			{"missing", []string{"Authorization", ""}, latchkey.CodeAuthHeaderMissing, ""},
			{"cookie only", []string{"Authorization", "", "Cookie", "__lk_session=" + ts.secret}, latchkey.CodeAuthHeaderMissing, ""},
			{"unknown key", []string{"Authorization", "Bearer " + wrong}, latchkey.CodeAuthInvalid, ""},
			{"basic scheme", []string{"Authorization", "Basic " + ts.secret}, latchkey.CodeAuthInvalid, "Bearer sk_"},
			{"no scheme", []string{"Authorization", ts.secret}, latchkey.CodeAuthInvalid, "Bearer sk_"},
			{"publishable key", []string{"Authorization", "Bearer " + ts.inst.Instance().PublishableKey}, latchkey.CodeAuthInvalid, "Bearer sk_"},
			{"live key on a dev instance", []string{"Authorization", "Bearer " + live}, latchkey.CodeAuthInvalid, "sk_test_"},
			{"truncated key", []string{"Authorization", "Bearer " + ts.secret[:20]}, latchkey.CodeAuthInvalid, ""},
			{"key with extra character", []string{"Authorization", "Bearer " + ts.secret + "x"}, latchkey.CodeAuthInvalid, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, rt := range backendPaths(ts.srv) {
					res := ts.as(t).do(rt[0], rt[1], nil, c.headers...)
					res.wantError(t, http.StatusUnauthorized, c.code, "")
					if e := res.firstError(t); !strings.Contains(e.LongMessage, c.long) {
						t.Errorf("%s %s: long_message %q, want it to mention %q", rt[0], rt[1], e.LongMessage, c.long)
					}
					if strings.Contains(string(res.Body), ts.secret) {
						t.Errorf("%s %s: the response repeats the secret key", rt[0], rt[1])
					}
				}
			})
		}
		// Each request is logged once, with its trace id and status, and
		// without the key it presented.
		res := ts.do("GET", "/api/v1/users", nil, "Authorization", "Bearer "+wrong)
		trace := res.Header.Get(TraceHeader)
		var lines []string
		for _, l := range strings.Split(ts.logs.String(), "\n") {
			if strings.Contains(l, trace) {
				lines = append(lines, l)
			}
		}
		if len(lines) != 1 || !strings.Contains(lines[0], "msg=request") || !strings.Contains(lines[0], "status=401") ||
			!strings.Contains(lines[0], `route="GET /api/v1/users"`) {
			t.Errorf("log lines for %s: %q, want one request line with status=401", trace, lines)
		}
		if strings.Contains(ts.logs.String(), wrong) {
			t.Errorf("the log contains a presented secret key")
		}
		t.Run("scheme is case-insensitive", func(t *testing.T) {
			ts.as(t).do("GET", "/api/v1/instance", nil, "Authorization", "bearer  "+ts.secret).wantStatus(t, http.StatusOK)
		})
		// Golden: one missing, one for another environment.
		golden(t, "error_401_missing", ts.as(t).do("GET", "/api/v1/users", nil, "Authorization", "").Body)
		golden(t, "error_401_environment", ts.as(t).do("GET", "/api/v1/users", nil, "Authorization", "Bearer "+live).Body)
	})
}

func TestBackendAuthenticationProduction(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine, withProduction())
		if !strings.HasPrefix(ts.secret, "sk_live_") {
			t.Fatalf("production secret %q, want sk_live_ prefix", ts.secret)
		}
		ts.do("GET", "/api/v1/users", nil).wantStatus(t, http.StatusOK)
		// A test key with the same random part as a valid live key.
		test := "sk_test_" + strings.TrimPrefix(ts.secret, "sk_live_")
		res := ts.do("GET", "/api/v1/users", nil, "Authorization", "Bearer "+test)
		res.wantError(t, http.StatusUnauthorized, latchkey.CodeAuthInvalid, "")
		if e := res.firstError(t); !strings.Contains(e.LongMessage, "sk_live_") {
			t.Errorf("long_message %q, want it to name sk_live_", e.LongMessage)
		}
		var inst instanceJSON
		res = ts.do("GET", "/api/v1/instance", nil)
		res.wantStatus(t, http.StatusOK)
		res.decode(t, &inst)
		if inst.Environment != latchkey.EnvProduction || !strings.HasPrefix(inst.PublishableKey, "pk_live_") {
			t.Errorf("environment %q, publishable key %q; want production, pk_live_", inst.Environment, inst.PublishableKey)
		}
	})
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		uid := latchkey.NewID(latchkey.PrefixUser)
		for _, path := range []string{"/", "/api/v1/nope", "/api/v2/users", "/api/v1/users/" + uid + "/nope",
			"/api/v1/users/" + uid + "/ban/extra", "/v1/nope", "/dashboard", "/.well-known/openid-configuration"} {
			for _, auth := range []string{"", "Bearer " + ts.secret} {
				res := ts.as(t).do("GET", path, nil, "Authorization", auth)
				res.wantError(t, http.StatusNotFound, latchkey.CodeRouteNotFound, "")
				if e := res.firstError(t); !strings.Contains(e.LongMessage, path) {
					t.Errorf("GET %s: long_message %q, want it to name the path", path, e.LongMessage)
				}
			}
		}
		golden(t, "error_404_route", ts.do("GET", "/api/v1/nope", nil).Body)

		methods := []struct {
			method, path, allow string
		}{
			{"DELETE", "/api/v1/instance", "GET, HEAD, PATCH"},
			{"POST", "/api/v1/instance", "GET, HEAD, PATCH"},
			{"PUT", "/api/v1/users/" + uid, "DELETE, GET, HEAD, PATCH"},
			{"POST", "/api/v1/users/" + uid, "DELETE, GET, HEAD, PATCH"},
			{"DELETE", "/api/v1/users", "GET, HEAD, POST"},
			// count is also a value of {id}, whose methods count too.
			{"POST", "/api/v1/users/count", "DELETE, GET, HEAD, PATCH"},
			{"GET", "/api/v1/users/" + uid + "/ban", "POST"},
			{"DELETE", "/api/v1/users/" + uid + "/lock", "POST"},
			{"GET", "/api/v1/users/" + uid + "/metadata", "PATCH"},
			{"GET", "/api/v1/api_keys/" + latchkey.NewID(latchkey.PrefixAPIKey) + "/revoke", "POST"},
			{"PATCH", "/api/v1/api_keys", "GET, HEAD, POST"},
			{"POST", "/.well-known/jwks.json", "GET, HEAD"},
			{"POST", "/healthz", "GET, HEAD"},
			{"DELETE", "/readyz", "GET, HEAD"},
			{"POST", "/metrics", "GET, HEAD"},
			{"OPTIONS", "/api/v1/users", "GET, HEAD, POST"},
		}
		for _, m := range methods {
			res := ts.as(t).do(m.method, m.path, nil)
			res.wantError(t, http.StatusMethodNotAllowed, latchkey.CodeMethodNotAllowed, "")
			if got := res.Header.Get("Allow"); got != m.allow {
				t.Errorf("%s %s: Allow = %q, want %q", m.method, m.path, got, m.allow)
			}
		}
		res := ts.do("DELETE", "/api/v1/instance", nil)
		golden(t, "error_405", res.Body)
	})
}

func TestUnknownResources(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		uid := latchkey.NewID(latchkey.PrefixUser)
		cases := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/users/" + uid, nil},
			{"PATCH", "/api/v1/users/" + uid, `{"first_name":"Ada"}`},
			{"PATCH", "/api/v1/users/" + uid, `{}`},
			{"DELETE", "/api/v1/users/" + uid, nil},
			{"PATCH", "/api/v1/users/" + uid + "/metadata", `{"public_metadata":{"a":1}}`},
			{"POST", "/api/v1/users/" + uid + "/ban", nil},
			{"POST", "/api/v1/users/" + uid + "/unban", `{}`},
			{"POST", "/api/v1/users/" + uid + "/lock", nil},
			{"POST", "/api/v1/users/" + uid + "/unlock", nil},
			{"GET", "/api/v1/users/not-even-an-id", nil},
			{"GET", "/api/v1/users/%27%3B%20DROP%20TABLE%20users%3B--", nil},
			{"POST", "/api/v1/api_keys/" + latchkey.NewID(latchkey.PrefixAPIKey) + "/revoke", nil},
		}
		for _, c := range cases {
			res := ts.as(t).do(c.method, c.path, c.body)
			res.wantError(t, http.StatusNotFound, latchkey.CodeResourceNotFound, "id")
		}
		golden(t, "error_404_user", ts.do("GET", "/api/v1/users/"+uid, nil).Body)
		// The injection attempt above changed nothing.
		ts.do("GET", "/api/v1/users", nil).wantStatus(t, http.StatusOK)
	})
}

func TestRequestBodyErrors(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
		cases := []struct {
			name    string
			body    any
			headers []string
			status  int
			code    latchkey.Code
			param   string
		}{
			{"malformed", `{"email_address":`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"malformed string", `{"first_name":"Ada}`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"array", `[]`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"string", `"ada@example.com"`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"two values", `{} {}`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"trailing garbage", `{"first_name":"Ada"}x`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"empty", ``, []string{"Content-Type", "application/json"}, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"whitespace", "  \n", nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"deeply nested", `{"public_metadata":{"a":` + deep + `}}`, nil, 400, latchkey.CodeRequestBodyInvalid, ""},
			{"unknown field", `{"emial_address":["ada@example.com"]}`, nil, 400, latchkey.CodeFormParamUnknown, "emial_address"},
			{"unknown field in Clerk's camel case", `{"emailAddress":["ada@example.com"]}`, nil, 400, latchkey.CodeFormParamUnknown, "emailAddress"},
			{"email not an array", `{"email_address":"ada@example.com"}`, nil, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"email element not a string", `{"email_address":[1]}`, nil, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"first_name a number", `{"first_name":5}`, nil, 400, latchkey.CodeFormParamInvalid, "first_name"},
			{"flag a string", `{"skip_password_checks":"yes"}`, nil, 400, latchkey.CodeFormParamInvalid, "skip_password_checks"},
			{"metadata an array", `{"email_address":["ada@example.com"],"public_metadata":[1]}`, nil, 400, latchkey.CodeFormParamInvalid, "public_metadata"},
			{"metadata a string", `{"email_address":["ada@example.com"],"private_metadata":"x"}`, nil, 400, latchkey.CodeFormParamInvalid, "private_metadata"},
			{"text/plain", `{}`, []string{"Content-Type", "text/plain"}, 415, latchkey.CodeUnsupportedMediaType, ""},
			{"no content type", `{}`, []string{"Content-Type", ""}, 415, latchkey.CodeUnsupportedMediaType, ""},
			{"form", `email_address=ada%40example.com`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, latchkey.CodeUnsupportedMediaType, ""},
			{"bad media type", `{}`, []string{"Content-Type", "application/json;;"}, 415, latchkey.CodeUnsupportedMediaType, ""},
			{"too large", `{"first_name":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413, latchkey.CodeRequestBodyTooLarge, ""},
			{"too large and not JSON", strings.Repeat("a", 1<<20+1), []string{"Content-Type", "text/plain"}, 413, latchkey.CodeRequestBodyTooLarge, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := ts.as(t).do("POST", "/api/v1/users", c.body, c.headers...)
				res.wantError(t, c.status, c.code, c.param)
			})
		}
		// Every endpoint with a body decodes the same way.
		uid := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}}).ID
		for _, rt := range [][2]string{
			{"PATCH", "/api/v1/instance"}, {"POST", "/api/v1/api_keys"}, {"PATCH", "/api/v1/users/" + uid},
			{"PATCH", "/api/v1/users/" + uid + "/metadata"}, {"POST", "/api/v1/users/" + uid + "/ban"},
			{"POST", "/api/v1/users/" + uid + "/unban"}, {"POST", "/api/v1/users/" + uid + "/lock"},
			{"POST", "/api/v1/users/" + uid + "/unlock"},
		} {
			c := ts.as(t)
			c.do(rt[0], rt[1], `{"nope":1}`).wantError(t, 400, latchkey.CodeFormParamUnknown, "nope")
			c.do(rt[0], rt[1], `{`).wantError(t, 400, latchkey.CodeRequestBodyInvalid, "")
			c.do(rt[0], rt[1], `{}`, "Content-Type", "text/plain").wantError(t, 415, latchkey.CodeUnsupportedMediaType, "")
			c.do(rt[0], rt[1], strings.Repeat(" ", 1<<20+1)).wantError(t, 413, latchkey.CodeRequestBodyTooLarge, "")
		}
		// A JSON media type with parameters, or a +json suffix, is JSON.
		ts.do("PATCH", "/api/v1/users/"+uid, `{"first_name":"Ada"}`, "Content-Type", "application/json; charset=utf-8").wantStatus(t, 200)
		ts.do("PATCH", "/api/v1/instance", `{"settings":{"branding":{"application_name":"Acme"}}}`,
			"Content-Type", "application/merge-patch+json").wantStatus(t, 200)

		golden(t, "error_400_malformed", ts.do("POST", "/api/v1/users", `{"email_address":`).Body)
		golden(t, "error_400_unknown_field", ts.do("POST", "/api/v1/users", `{"emial_address":["ada@example.com"]}`).Body)
		golden(t, "error_400_wrong_type", ts.do("POST", "/api/v1/users", `{"email_address":"ada@example.com"}`).Body)
		golden(t, "error_413", ts.do("POST", "/api/v1/users", strings.Repeat(" ", 1<<20+1)).Body)
		golden(t, "error_415", ts.do("POST", "/api/v1/users", `{}`, "Content-Type", "text/plain").Body)
	})
}

func TestQueryParamErrors(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		cases := []struct {
			query string
			code  latchkey.Code
			param string
		}{
			{"limit=abc", latchkey.CodeFormParamInvalid, "limit"},
			{"limit=1.5", latchkey.CodeFormParamInvalid, "limit"},
			{"limit=1e3", latchkey.CodeFormParamInvalid, "limit"},
			{"limit=0", latchkey.CodeFormParamValue, "limit"},
			{"limit=-1", latchkey.CodeFormParamValue, "limit"},
			{"limit=501", latchkey.CodeFormParamValue, "limit"},
			{"offset=-1", latchkey.CodeFormParamValue, "offset"},
			{"offset=x", latchkey.CodeFormParamInvalid, "offset"},
			{"order_by=name", latchkey.CodeFormParamValue, "order_by"},
			{"order_by=-password_hash", latchkey.CodeFormParamValue, "order_by"},
			{"order_by=created_at%3BDROP%20TABLE%20users", latchkey.CodeFormParamValue, "order_by"},
			{"order_by=-", latchkey.CodeFormParamValue, "order_by"},
			{"order_by=--created_at", latchkey.CodeFormParamValue, "order_by"},
			{"foo=1", latchkey.CodeFormParamUnknown, "foo"},
			{"emailAddress=ada%40example.com", latchkey.CodeFormParamUnknown, "emailAddress"},
			{"email_address=ada%40example.com&page=2", latchkey.CodeFormParamUnknown, "page"},
		}
		for _, c := range cases {
			ts.as(t).do("GET", "/api/v1/users?"+c.query, nil).wantError(t, 400, c.code, c.param)
		}
		// The count takes the filters but no paging.
		for _, q := range []string{"limit=1", "offset=0", "order_by=created_at", "foo=1"} {
			param, _, _ := strings.Cut(q, "=")
			ts.as(t).do("GET", "/api/v1/users/count?"+q, nil).wantError(t, 400, latchkey.CodeFormParamUnknown, param)
		}
		for _, q := range []string{"limit=1", "limit=500", "offset=0", "offset=1000", "order_by=created_at",
			"order_by=-updated_at", "order_by=%2Blast_sign_in_at"} {
			ts.as(t).do("GET", "/api/v1/users?"+q, nil).wantStatus(t, 200)
		}
		golden(t, "error_400_query", ts.do("GET", "/api/v1/users?limit=0", nil).Body)
	})
}

// TestPanicBecomesInternalError drives recoverPanics through observe, as
// NewServer stacks them, with handlers that panic.
func TestPanicBecomesInternalError(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		mux := http.NewServeMux()
		mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
			var m map[string]int
			m["x"] = 1 // a runtime error: assignment to entry in nil map
		})
		mux.HandleFunc("GET /late", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(`{"partial":`))
			panic("late panic")
		})
		mux.HandleFunc("GET /abort", func(w http.ResponseWriter, r *http.Request) {
			panic(http.ErrAbortHandler)
		})
		mux.Handle("GET /error", ts.srv.handle(func(w http.ResponseWriter, r *http.Request) error {
			return fmt.Errorf("load user: %w", errors.New("sql: database is closed; pq: SQLSTATE 57P01"))
		}))
		hs := httptest.NewServer(ts.srv.observe(ts.srv.recoverPanics(mux)))
		t.Cleanup(hs.Close)
		c := newClient(t, hs, ts.secret)

		res := c.do("GET", "/boom", nil)
		res.wantError(t, http.StatusInternalServerError, latchkey.CodeInternal, "")
		trace := res.Header.Get(TraceHeader)
		logs := ts.logs.String()
		if !strings.Contains(logs, "msg=panic") || !strings.Contains(logs, "trace_id="+trace) ||
			!strings.Contains(logs, "assignment to entry in nil map") || !strings.Contains(logs, "goroutine ") {
			t.Errorf("the log does not have the panic with its trace id, value and stack:\n%s", logs)
		}
		golden(t, "error_500_panic", res.Body)

		// After the status line went out, the client gets what was written
		// and nothing else.
		res = c.do("GET", "/late", nil)
		if res.Status != http.StatusOK || string(res.Body) != `{"partial":` {
			t.Errorf("late panic: status %d body %q, want 200 and the partial body", res.Status, res.Body)
		}
		if !strings.Contains(ts.logs.String(), "late panic") {
			t.Errorf("the late panic is not logged")
		}

		// http.ErrAbortHandler keeps its meaning: the connection is cut.
		if res, err := hs.Client().Get(hs.URL + "/abort"); err == nil {
			res.Body.Close()
			t.Errorf("abort: got status %d, want the connection cut", res.StatusCode)
		}

		// An error that is not a *latchkey.Error is internal; its text is
		// logged once with the trace id, never sent.
		res = c.do("GET", "/error", nil)
		res.wantError(t, http.StatusInternalServerError, latchkey.CodeInternal, "")
		if n := strings.Count(ts.logs.String(), "database is closed"); n != 1 {
			t.Errorf("the cause is logged %d times, want once", n)
		}
		if !strings.Contains(ts.logs.String(), "trace_id="+res.Header.Get(TraceHeader)) {
			t.Errorf("the failure is not logged with its trace id")
		}
	})
}

// TestDatabaseDown checks that a failing database gives internal_error, not
// driver text, on real routes, and that readyz reports it.
func TestDatabaseDown(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		uid := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}}).ID
		ts.do("GET", "/readyz", nil).wantStatus(t, http.StatusOK)
		if err := ts.store.Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}
		for _, rt := range [][2]string{{"GET", "/api/v1/users"}, {"GET", "/api/v1/users/" + uid}, {"GET", "/api/v1/api_keys"}} {
			ts.as(t).do(rt[0], rt[1], nil).wantError(t, http.StatusInternalServerError, latchkey.CodeInternal, "")
		}
		res := ts.do("GET", "/readyz", nil)
		res.wantStatus(t, http.StatusServiceUnavailable)
		var got struct {
			Status string            `json:"status"`
			Checks map[string]string `json:"checks"`
		}
		res.decode(t, &got)
		if got.Status != "unavailable" || got.Checks["database"] != "unreachable" {
			t.Errorf("readyz with the database closed = %s", res.Body)
		}
		// Liveness does not depend on the database.
		ts.do("GET", "/healthz", nil).wantStatus(t, http.StatusOK)
	})
}

// TestSettingManagedByFile builds the server with a declarative settings
// file, as --config does.
func TestSettingManagedByFile(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		// Not t.TempDir: its name holds the engine's, and the path is in
		// error messages, which must not mention the database engine.
		dir, err := os.MkdirTemp("", "latchkey-config-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		path := filepath.Join(dir, "latchkey.toml")
		toml := "[branding]\napplication_name = \"Acme\"\n\n[session]\nlifetime_seconds = 86400\n"
		if err := os.WriteFile(path, []byte(toml), 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := instance.LoadFile(path)
		if err != nil {
			t.Fatalf("load %s: %v", path, err)
		}
		ts := newTestServer(t, engine, withFile(file))

		var inst instanceJSON
		res := ts.do("GET", "/api/v1/instance", nil)
		res.wantStatus(t, http.StatusOK)
		res.decode(t, &inst)
		if want := []string{"branding.application_name", "session.lifetime_seconds"}; strings.Join(inst.ManagedByFile, ",") != strings.Join(want, ",") {
			t.Errorf("managed_by_file = %q, want %q", inst.ManagedByFile, want)
		}
		if inst.Settings.Branding.ApplicationName != "Acme" || inst.Settings.Session.LifetimeSeconds != 86400 {
			t.Errorf("settings from the file not applied: %+v %+v", inst.Settings.Branding, inst.Settings.Session)
		}
		for _, c := range []struct{ patch, param string }{
			{`{"branding":{"application_name":"Other"}}`, "branding.application_name"},
			{`{"branding":{"application_name":null}}`, "branding.application_name"},
			{`{"session":{"lifetime_seconds":3600,"token_lifetime_seconds":120}}`, "session.lifetime_seconds"},
			{`{"session":null}`, "session"},
			{`{"branding":null}`, "branding"},
		} {
			res := ts.as(t).do("PATCH", "/api/v1/instance", `{"settings":`+c.patch+`}`)
			res.wantError(t, http.StatusConflict, latchkey.CodeSettingManaged, c.param)
			if e := res.firstError(t); !strings.Contains(e.LongMessage, "latchkey.toml") {
				t.Errorf("long_message %q, want it to name the file", e.LongMessage)
			}
		}
		// Nothing changed, not even the untouched key in the same patch.
		res = ts.do("GET", "/api/v1/instance", nil)
		res.decode(t, &inst)
		if inst.Settings.Session.TokenLifetimeSeconds != 60 || inst.Settings.Branding.ApplicationName != "Acme" {
			t.Errorf("a refused patch changed settings: %+v", inst.Settings.Session)
		}
		// Keys the file does not set stay editable.
		ts.patchSettings(t, `{"branding":{"primary_color":"#4f46e5"},"session":{"token_lifetime_seconds":120}}`)
		res = ts.do("GET", "/api/v1/instance", nil)
		res.decode(t, &inst)
		if inst.Settings.Branding.PrimaryColor != "#4f46e5" || inst.Settings.Session.TokenLifetimeSeconds != 120 {
			t.Errorf("unmanaged keys not changed: %+v %+v", inst.Settings.Branding, inst.Settings.Session)
		}
	})
}

// TestNonTextParams sends IDs and query values that no ID, identifier or
// search term can be: NUL characters and bytes that are not UTF-8.
// PostgreSQL refuses both in text, so without a check they became 500s.
func TestNonTextParams(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		for _, id := range []string{"%00", "user_%00", "%FF", "user_%C3%28"} {
			for _, rt := range ts.srv.routes() {
				if rt.Surface != surfaceBackend || !strings.Contains(rt.Path, "{id}") {
					continue
				}
				body := any(nil)
				if rt.Method == "PATCH" {
					body = `{}`
				}
				ts.as(t).do(rt.Method, strings.ReplaceAll(rt.Path, "{id}", id), body).
					wantError(t, 400, latchkey.CodeFormParamInvalid, "id")
			}
		}
		for _, c := range []struct{ query, param string }{
			{"user_id=%00", "user_id"},
			{"user_id=ok&user_id=%FF", "user_id"},
			{"external_id=%FF", "external_id"},
			{"query=%00", "query"},
			{"query=%FF", "query"},
			{"username=%FF", "username"},
			{"email_address=a%00%40example.com", "email_address"},
			{"phone_number=%2B1415%00", "phone_number"},
			{"order_by=%00", "order_by"},
		} {
			ts.as(t).do("GET", "/api/v1/users?"+c.query, nil).wantError(t, 400, latchkey.CodeFormParamInvalid, c.param)
			ts.as(t).do("GET", "/api/v1/users/count?"+c.query, nil).wantError(t, 400, latchkey.CodeFormParamInvalid, c.param)
		}
		ts.do("GET", "/api/v1/users?%FF=1", nil).wantError(t, 400, latchkey.CodeFormParamInvalid, "\uFFFD")
		ts.do("POST", "/api/v1/api_keys", `{"name":"ci\u0000"}`).wantError(t, 400, latchkey.CodeFormParamInvalid, "name")
		ts.do("POST", "/api/v1/api_keys", `{"name":"ci\nkey"}`).wantError(t, 400, latchkey.CodeFormParamInvalid, "name")
		// JSON strings carry NUL as \u0000: metadata keeps it escaped.
		u := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}, "public_metadata": map[string]any{"a": "x\x00y"}})
		if string(u.PublicMetadata) != `{"a":"x\u0000y"}` {
			t.Errorf("public_metadata = %s", u.PublicMetadata)
		}
		t.Run("names with NUL", func(t *testing.T) {
			for _, field := range []string{"first_name", "last_name", "external_id"} {
				ts.as(t).do("POST", "/api/v1/users", map[string]any{"email_address": []string{field + "@example.com"},
					"skip_password_requirement": true, field: "a\x00b"}).wantError(t, 400, latchkey.CodeFormParamInvalid, field)
				ts.as(t).do("PATCH", "/api/v1/users/"+u.ID, map[string]any{field: "a\x00b"}).
					wantError(t, 400, latchkey.CodeFormParamInvalid, field)
			}
		})
	})
}
