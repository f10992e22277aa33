package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
)

func getInstance(t *testing.T, ts *testServer) instanceJSON {
	t.Helper()
	res := ts.as(t).do("GET", "/api/v1/instance", nil)
	res.wantStatus(t, http.StatusOK)
	var inst instanceJSON
	res.decode(t, &inst)
	return inst
}

func TestInstanceGet(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		res := ts.do("GET", "/api/v1/instance", nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "instance_get", res.Body)
		var inst instanceJSON
		res.decode(t, &inst)
		if inst.Object != "instance" || !strings.HasPrefix(inst.ID, "ins_") || inst.Environment != latchkey.EnvDevelopment ||
			!strings.HasPrefix(inst.PublishableKey, "pk_test_") || inst.ManagedByFile == nil || len(inst.ManagedByFile) != 0 {
			t.Errorf("instance = %+v", inst)
		}
		if diff := cmp.Diff(latchkey.DefaultSettings(), inst.Settings); diff != "" {
			t.Errorf("settings of a new instance (-default +got):\n%s", diff)
		}
	})
}

func TestInstancePatch(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		v0 := getInstance(t, ts).SettingsVersion

		res := ts.do("PATCH", "/api/v1/instance", `{"settings":{"branding":{"application_name":"Acme","primary_color":"#4f46e5"},
			"phone_number":{"enabled":true},"session":{"token_lifetime_seconds":120},"allowed_origins":["https://app.example.com"]}}`)
		res.wantStatus(t, http.StatusOK)
		golden(t, "instance_patch", res.Body)
		var inst instanceJSON
		res.decode(t, &inst)
		want := latchkey.DefaultSettings()
		want.Branding.ApplicationName, want.Branding.PrimaryColor = "Acme", "#4f46e5"
		want.PhoneNumber.Enabled = true
		want.Session.TokenLifetimeSeconds = 120
		want.AllowedOrigins = []string{"https://app.example.com"}
		if diff := cmp.Diff(want, inst.Settings); diff != "" {
			t.Errorf("settings after patch (-want +got):\n%s", diff)
		}
		if inst.SettingsVersion != v0+1 {
			t.Errorf("settings_version %d, want %d", inst.SettingsVersion, v0+1)
		}
		if got := getInstance(t, ts); !cmp.Equal(got, inst) {
			t.Errorf("GET after PATCH differs:\n%s", cmp.Diff(inst, got))
		}
		// The change takes effect at once: phone numbers are accepted now.
		ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}, "phone_number": []string{"+14155550100"}})

		// null resets a key, or a whole section, to its default.
		ts.patchSettings(t, `{"branding":{"application_name":null},"allowed_origins":null}`)
		ts.patchSettings(t, `{"session":null}`)
		inst = getInstance(t, ts)
		want.Branding.ApplicationName = "My application"
		want.AllowedOrigins = []string{}
		want.Session = latchkey.DefaultSettings().Session
		if diff := cmp.Diff(want, inst.Settings); diff != "" {
			t.Errorf("settings after null (-want +got):\n%s", diff)
		}
		// Event retention.
		ts.patchSettings(t, `{"events":{"retention_days":7}}`)
		want.Events.RetentionDays = 7
		if diff := cmp.Diff(want, getInstance(t, ts).Settings); diff != "" {
			t.Errorf("settings after events patch (-want +got):\n%s", diff)
		}
		// An empty patch is allowed.
		ts.patchSettings(t, `{}`)
		good := getInstance(t, ts)

		cases := []struct {
			name, body string
			code       latchkey.Code
			param      string
			bug        string // a known bug outside web/ that fails this case
		}{
			{"unknown setting", `{"settings":{"foo":1}}`, latchkey.CodeFormParamUnknown, "foo", ""},
			{"unknown nested setting", `{"settings":{"branding":{"nme":"x"}}}`, latchkey.CodeFormParamUnknown, "branding.nme", ""},
			{"unknown nested under a known one", `{"settings":{"password":{"min_length":8,"min_lenght":9}}}`, latchkey.CodeFormParamUnknown, "password.min_lenght", ""},
			{"value out of range", `{"settings":{"password":{"min_length":4}}}`, latchkey.CodeFormParamValue, "password.min_length", ""},
			{"token lifetime out of range", `{"settings":{"session":{"token_lifetime_seconds":5}}}`, latchkey.CodeFormParamValue, "session.token_lifetime_seconds", ""},
			{"argon2 below the floor", `{"settings":{"password":{"argon2_memory_kib":1024}}}`, latchkey.CodeFormParamValue, "password.argon2_memory_kib", ""},
			{"origin with a path", `{"settings":{"allowed_origins":["https://app.example.com/path"]}}`, latchkey.CodeFormParamValue, "allowed_origins", ""},
			{"bad color", `{"settings":{"branding":{"primary_color":"red"}}}`, latchkey.CodeFormParamValue, "branding.primary_color", ""},
			{"bad support email", `{"settings":{"branding":{"support_email":"nope"}}}`, latchkey.CodeFormParamValue, "branding.support_email", ""},
			{"event retention out of range", `{"settings":{"events":{"retention_days":0}}}`, latchkey.CodeFormParamValue, "events.retention_days", ""},
			{"event retention not a number", `{"settings":{"events":{"retention_days":"30"}}}`, latchkey.CodeFormParamInvalid, "events.retention_days", ""},
			{"required but disabled", `{"settings":{"email_address":{"enabled":false}}}`, latchkey.CodeFormParamValue, "email_address.enabled", ""},
			{"wrong type", `{"settings":{"password":{"min_length":"8"}}}`, latchkey.CodeFormParamInvalid, "password.min_length", ""},
			{"object for a number", `{"settings":{"password":{"min_length":{"x":1}}}}`, latchkey.CodeFormParamInvalid, "password.min_length", ""},
			{"string for a list", `{"settings":{"allowed_origins":"https://app.example.com"}}`, latchkey.CodeFormParamInvalid, "allowed_origins", ""},
			{"string for a section", `{"settings":{"branding":"x"}}`, latchkey.CodeFormParamInvalid, "branding", ""},
			{"negative for unsigned", `{"settings":{"password":{"argon2_memory_kib":-1}}}`, latchkey.CodeFormParamInvalid, "password.argon2_memory_kib", ""},
			{"overflow", `{"settings":{"password":{"argon2_parallelism":300}}}`, latchkey.CodeFormParamInvalid, "password.argon2_parallelism", ""},
			{"wrong type in embedded settings", `{"settings":{"username":{"enabled":"yes"}}}`, latchkey.CodeFormParamInvalid, "username.enabled", ""},
			{"settings missing", `{}`, latchkey.CodeFormParamMissing, "settings", ""},
			{"settings not an object", `{"settings":[]}`, latchkey.CodeFormParamInvalid, "settings", ""},
			{"settings a string", `{"settings":"x"}`, latchkey.CodeFormParamInvalid, "settings", ""},
			{"settings null", `{"settings":null}`, latchkey.CodeFormParamInvalid, "settings", ""},
			{"unknown top-level field", `{"settings":{},"setting":{}}`, latchkey.CodeFormParamUnknown, "setting", ""},
			{"malformed", `{"settings":{`, latchkey.CodeRequestBodyInvalid, "", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.bug != "" {
					t.Skip(c.bug)
				}
				ts.as(t).do("PATCH", "/api/v1/instance", c.body).wantError(t, statusOf[c.code], c.code, c.param)
			})
		}
		if got := getInstance(t, ts); !cmp.Equal(got, good) {
			t.Errorf("refused patches changed the instance:\n%s", cmp.Diff(good, got))
		}
		golden(t, "error_400_setting_unknown", ts.do("PATCH", "/api/v1/instance", `{"settings":{"foo":1}}`).Body)
		golden(t, "error_400_setting_value", ts.do("PATCH", "/api/v1/instance", `{"settings":{"password":{"min_length":4}}}`).Body)
	})
}
