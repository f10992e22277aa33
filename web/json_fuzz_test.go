package web

import (
	"errors"
	"testing"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// FuzzDecodeStrict feeds arbitrary bodies to the request decoder with each
// request type of the Backend API. It must never panic, and every failure
// must be a catalog error a client can act on (never a raw decoder error).
func FuzzDecodeStrict(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"email_address":["a@b.co"],"password":"x"}`, `{"email_address":"a@b.co"}`,
		`{"first_name":null,"public_metadata":{"a":[1,{"b":null}]}}`, `{"unknown":1}`, `[]`, `null`, `"x"`,
		`{"password":1e400}`, `{"username":"\ud800"}`, `{"a":1}{"b":2}`, `{"settings":{"session":{}}}`,
		"{\"first_name\":\"\x00\"}", `{"skip_password_checks":"yes"}`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{
			&auth.CreateUserParams{}, &auth.UpdateUserParams{}, &auth.MetadataPatch{},
			&struct {
				Settings rawObject `json:"settings"`
			}{},
			&struct {
				Name string `json:"name"`
			}{},
		}
		for _, v := range targets {
			err := decodeStrict(body, v)
			if err == nil {
				continue
			}
			var e *latchkey.Error
			if !errors.As(err, &e) {
				t.Fatalf("decodeStrict(%q) into %T: %v is not a *latchkey.Error", body, v, err)
			}
			if _, ok := latchkey.Messages[e.Code]; !ok {
				t.Fatalf("decodeStrict(%q): code %q is not in the catalog", body, e.Code)
			}
			if _, ok := statusOf[e.Code]; !ok || statusOf[e.Code] >= 500 {
				t.Fatalf("decodeStrict(%q): code %q is not a client error", body, e.Code)
			}
		}
	})
}
