package web

import (
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)

		// The harness's key was used by this very request.
		var list listJSON[apiKeyJSON]
		res := ts.do("GET", "/api/v1/api_keys", nil)
		res.wantStatus(t, http.StatusOK)
		res.decode(t, &list)
		if list.TotalCount != 1 || len(list.Data) != 1 || list.Data[0].Name != "test" || list.Data[0].LastUsedAt == nil {
			t.Fatalf("initial keys = %s, want the harness key with last_used_at set", res.Body)
		}
		first := list.Data[0]

		res = ts.do("POST", "/api/v1/api_keys", `{"name":"ci"}`)
		res.wantStatus(t, http.StatusOK)
		golden(t, "api_keys_create", res.Body)
		var created apiKeyJSON
		res.decode(t, &created)
		secret := created.Secret
		if !strings.HasPrefix(secret, "sk_test_") || len(secret) != len("sk_test_")+40 {
			t.Fatalf("secret %q, want sk_test_ and 40 characters", secret)
		}
		if created.Object != "api_key" || !strings.HasPrefix(created.ID, "ak_") || created.Name != "ci" ||
			created.Prefix != secret[:12] || created.Revoked || created.RevokedAt != nil || created.LastUsedAt != nil {
			t.Errorf("created key = %+v", created)
		}

		// It works at once.
		ci := ts.withKey(secret)
		ci.do("GET", "/api/v1/users", nil).wantStatus(t, http.StatusOK)

		// Listed newest first, never with the secret (or its digest).
		res = ts.do("GET", "/api/v1/api_keys", nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "api_keys_list", res.Body)
		for _, leak := range []string{`"secret"`, secret, secret[12:], hex.EncodeToString(instance.Digest(secret)),
			base64.StdEncoding.EncodeToString(instance.Digest(secret)), `"digest"`} {
			if strings.Contains(string(res.Body), leak) {
				t.Errorf("the key list contains %q:\n%s", leak, res.Body)
			}
		}
		res.decode(t, &list)
		if list.TotalCount != 2 || len(list.Data) != 2 || list.Data[0].ID != created.ID || list.Data[1].ID != first.ID {
			t.Errorf("keys = %s, want the new key, then the first", res.Body)
		}
		if list.Data[0].LastUsedAt == nil {
			t.Errorf("the new key's use was not recorded")
		}

		// Names: optional, at most 100 characters (not bytes), a string.
		res = ts.do("POST", "/api/v1/api_keys", nil)
		res.wantStatus(t, http.StatusOK)
		var unnamed apiKeyJSON
		res.decode(t, &unnamed)
		if unnamed.Name != "" || unnamed.Secret == "" || unnamed.Secret == secret {
			t.Errorf("unnamed key = %+v", unnamed)
		}
		ts.do("POST", "/api/v1/api_keys", `{"name":"`+strings.Repeat("é", 100)+`"}`).wantStatus(t, http.StatusOK)
		ts.do("POST", "/api/v1/api_keys", `{"name":"`+strings.Repeat("a", 101)+`"}`).wantError(t, 400, latchkey.CodeFormParamValue, "name")
		ts.do("POST", "/api/v1/api_keys", `{"name":5}`).wantError(t, 400, latchkey.CodeFormParamInvalid, "name")
		ts.do("POST", "/api/v1/api_keys", `{"name":"x","secret":"sk_test_mine"}`).wantError(t, 400, latchkey.CodeFormParamUnknown, "secret")

		// Revoke: the key stops working at once; twice is a conflict.
		res = ts.do("POST", "/api/v1/api_keys/"+created.ID+"/revoke", nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "api_keys_revoke", res.Body)
		var revoked apiKeyJSON
		res.decode(t, &revoked)
		if !revoked.Revoked || revoked.RevokedAt == nil || revoked.ID != created.ID || revoked.Secret != "" {
			t.Errorf("revoked key = %+v", revoked)
		}
		res = ci.do("GET", "/api/v1/users", nil)
		res.wantError(t, http.StatusUnauthorized, latchkey.CodeAuthInvalid, "")
		if e := res.firstError(t); !strings.Contains(e.LongMessage, "revoked") {
			t.Errorf("long_message %q, want it to say the key was revoked", e.LongMessage)
		}
		res = ts.do("POST", "/api/v1/api_keys/"+created.ID+"/revoke", `{}`)
		res.wantError(t, http.StatusConflict, latchkey.CodeAPIKeyRevoked, "")
		golden(t, "error_409_revoked", res.Body)
		ts.do("POST", "/api/v1/api_keys/"+created.ID+"/revoke", `{"now":true}`).wantError(t, 400, latchkey.CodeFormParamUnknown, "now")

		// A key can revoke itself; the next request with it is refused.
		other := ts.withKey(unnamed.Secret)
		other.do("POST", "/api/v1/api_keys/"+unnamed.ID+"/revoke", nil).wantStatus(t, http.StatusOK)
		other.do("GET", "/api/v1/api_keys", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeAuthInvalid, "")
		ts.do("GET", "/api/v1/api_keys", nil).wantStatus(t, http.StatusOK)

		for _, s := range []string{secret, unnamed.Secret} {
			if strings.Contains(ts.logs.String(), s) {
				t.Errorf("the log contains a created secret key")
			}
		}
	})
}

// TestAPIKeysAreInstanceBound checks that a key of one deployment opens
// nothing on another.
func TestAPIKeysAreInstanceBound(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		a := newTestServer(t, engine)
		b := newTestServer(t, engine)
		a.withKey(b.secret).do("GET", "/api/v1/users", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeAuthInvalid, "")
		b.withKey(a.secret).do("GET", "/api/v1/users", nil).wantError(t, http.StatusUnauthorized, latchkey.CodeAuthInvalid, "")
	})
}
