package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"golang.org/x/crypto/bcrypt"
)

func TestUsersCreate(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.enableAllIdentifiers(t)
		res := ts.do("POST", "/api/v1/users", map[string]any{
			"email_address":    []string{"Ada.Lovelace@Example.COM", "ada@analytical.example"},
			"phone_number":     []string{"+44 (20) 7946-0958"},
			"username":         "Ada_L",
			"password":         "correct horse battery staple",
			"first_name":       "Ada",
			"last_name":        "Lovelace",
			"external_id":      "crm-1815",
			"public_metadata":  map[string]any{"plan": "pro", "seats": 3},
			"private_metadata": map[string]any{"stripe_id": "cus_123", "nested": map[string]any{"a": []int{1, 2}}},
			"unsafe_metadata":  map[string]any{"theme": "dark"},
		})
		res.wantStatus(t, http.StatusOK)
		golden(t, "users_create", res.Body)
		var u userJSON
		res.decode(t, &u)

		if !strings.HasPrefix(u.ID, "user_") || u.Object != "user" {
			t.Errorf("id %q object %q, want user_... and user", u.ID, u.Object)
		}
		if len(u.EmailAddresses) != 2 || u.EmailAddresses[0].EmailAddress != "Ada.Lovelace@example.com" ||
			u.EmailAddresses[1].EmailAddress != "ada@analytical.example" {
			t.Fatalf("email_addresses = %+v, want both, in order, domain lower-cased", u.EmailAddresses)
		}
		if u.PrimaryEmailAddressID == nil || *u.PrimaryEmailAddressID != u.EmailAddresses[0].ID {
			t.Errorf("primary_email_address_id = %v, want the first address %s", u.PrimaryEmailAddressID, u.EmailAddresses[0].ID)
		}
		if len(u.PhoneNumbers) != 1 || u.PhoneNumbers[0].PhoneNumber != "+442079460958" ||
			u.PrimaryPhoneNumberID == nil || *u.PrimaryPhoneNumberID != u.PhoneNumbers[0].ID {
			t.Errorf("phone_numbers = %+v primary %v, want +442079460958 as primary", u.PhoneNumbers, u.PrimaryPhoneNumberID)
		}
		if u.Username == nil || *u.Username != "ada_l" {
			t.Errorf("username = %v, want ada_l", u.Username)
		}
		for _, idn := range append(u.EmailAddresses, u.PhoneNumbers...) {
			if idn.Verification.Status != "verified" || idn.Verification.Strategy != "admin" || idn.Verification.VerifiedAt == nil {
				t.Errorf("identifier %s verification = %+v, want verified by admin", idn.ID, idn.Verification)
			}
		}
		if !u.PasswordEnabled || u.PasswordLastUpdatedAt == nil {
			t.Errorf("password_enabled %v password_last_updated_at %v, want true and set", u.PasswordEnabled, u.PasswordLastUpdatedAt)
		}
		if strings.Contains(string(res.Body), "argon2") || strings.Contains(string(res.Body), "correct horse") {
			t.Errorf("the response carries the password or its hash:\n%s", res.Body)
		}
		if strings.Contains(ts.logs.String(), "correct horse") {
			t.Errorf("the log carries the password")
		}

		// GET returns the same user.
		res = ts.do("GET", "/api/v1/users/"+u.ID, nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "users_get", res.Body)
		var got userJSON
		res.decode(t, &got)
		if diff := cmp.Diff(u, got); diff != "" {
			t.Errorf("GET differs from the create response (-create +get):\n%s", diff)
		}

		// The least a user needs on a default instance: an email address,
		// and no password when told so.
		min := ts.createUser(t, map[string]any{"email_address": []string{"grace@example.com"}})
		if min.PasswordEnabled || min.Username != nil || min.FirstName != nil || string(min.PublicMetadata) != "{}" ||
			len(min.PhoneNumbers) != 0 || min.PrimaryPhoneNumberID != nil || min.ExternalID != nil {
			t.Errorf("minimal user = %+v", min)
		}
	})
}

func TestUsersCreateInvalid(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		email := []string{"ada@example.com"}
		skip := true
		many := make([]string, 21)
		for i := range many {
			many[i] = fmt.Sprintf("user%d@example.com", i)
		}
		type body = map[string]any
		cases := []struct {
			name   string
			body   body
			status int
			code   latchkey.Code
			param  string
		}{
			{"no identifier", body{"first_name": "Ada", "skip_password_requirement": skip}, 422, latchkey.CodeIdentifierRequired, "email_address"},
			{"empty email list", body{"email_address": []string{}, "skip_password_requirement": skip}, 422, latchkey.CodeIdentifierRequired, "email_address"},
			{"username not enabled", body{"email_address": email, "username": "ada_l", "skip_password_requirement": skip}, 422, latchkey.CodeIdentifierDisabled, "username"},
			{"phone not enabled", body{"email_address": email, "phone_number": []string{"+14155550100"}, "skip_password_requirement": skip}, 422, latchkey.CodeIdentifierDisabled, "phone_number"},
			{"password required", body{"email_address": email}, 400, latchkey.CodeFormParamMissing, "password"},
			{"password too short", body{"email_address": email, "password": "short"}, 422, latchkey.CodePasswordTooShort, "password"},
			{"password of 7 characters", body{"email_address": email, "password": "ééééééé"}, 422, latchkey.CodePasswordTooShort, "password"},
			{"password too long", body{"email_address": email, "password": strings.Repeat("a", 1025)}, 422, latchkey.CodePasswordTooLong, "password"},
			{"password too long even for imports", body{"email_address": email, "password": strings.Repeat("a", 1025), "skip_password_checks": true}, 422, latchkey.CodePasswordTooLong, "password"},
			{"password and digest", body{"email_address": email, "password": "correct horse", "password_digest": bcryptDigest(t, "x"), "password_hasher": "bcrypt"}, 400, latchkey.CodeFormParamValue, "password_digest"},
			{"digest without hasher", body{"email_address": email, "password_digest": bcryptDigest(t, "x")}, 400, latchkey.CodeFormParamMissing, "password_hasher"},
			{"hasher without digest", body{"email_address": email, "password_hasher": "bcrypt", "skip_password_requirement": skip}, 400, latchkey.CodeFormParamValue, "password_hasher"},
			{"bad bcrypt digest", body{"email_address": email, "password_digest": "$2a$10$tooshort", "password_hasher": "bcrypt"}, 400, latchkey.CodePasswordDigest, "password_digest"},
			{"argon2id digest for bcrypt", body{"email_address": email, "password_digest": "$argon2id$v=19$m=47104,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "password_hasher": "bcrypt"}, 400, latchkey.CodePasswordDigest, "password_digest"},
			{"bad argon2id digest", body{"email_address": email, "password_digest": "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", "password_hasher": "argon2id"}, 400, latchkey.CodePasswordDigest, "password_digest"},
			{"unsupported hasher", body{"email_address": email, "password_digest": "5f4dcc3b5aa765d61d8327deb882cf99", "password_hasher": "md5"}, 400, latchkey.CodePasswordHasher, "password_hasher"},
			{"bad email", body{"email_address": []string{"not-an-email"}, "skip_password_requirement": skip}, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"email with display name", body{"email_address": []string{"Ada <ada@example.com>"}, "skip_password_requirement": skip}, 400, latchkey.CodeFormParamInvalid, "email_address"},
			{"email listed twice", body{"email_address": []string{"ada@example.com", "ADA@example.com"}, "skip_password_requirement": skip}, 400, latchkey.CodeFormParamValue, "email_address"},
			{"too many emails", body{"email_address": many, "skip_password_requirement": skip}, 400, latchkey.CodeFormParamValue, "email_address"},
			{"first name too long", body{"email_address": email, "first_name": strings.Repeat("a", 257), "skip_password_requirement": skip}, 400, latchkey.CodeFormParamInvalid, "first_name"},
			{"last name too long", body{"email_address": email, "last_name": strings.Repeat("é", 257), "skip_password_requirement": skip}, 400, latchkey.CodeFormParamInvalid, "last_name"},
			{"external id too long", body{"email_address": email, "external_id": strings.Repeat("x", 256), "skip_password_requirement": skip}, 400, latchkey.CodeFormParamInvalid, "external_id"},
			{"metadata too large", body{"email_address": email, "public_metadata": body{"blob": strings.Repeat("x", 8*1024)}, "skip_password_requirement": skip}, 400, latchkey.CodeFormParamValue, "public_metadata"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ts.as(t).do("POST", "/api/v1/users", c.body).wantError(t, c.status, c.code, c.param)
			})
		}
		golden(t, "error_422_password_short", ts.do("POST", "/api/v1/users", body{"email_address": email, "password": "short"}).Body)
		golden(t, "error_422_identifier_disabled", ts.do("POST", "/api/v1/users",
			body{"email_address": email, "username": "ada_l", "skip_password_requirement": skip}).Body)

		// With phone numbers and usernames on, their formats are checked.
		ts.enableAllIdentifiers(t)
		for _, c := range []struct {
			name  string
			body  body
			param string
		}{
			{"phone without country code", body{"phone_number": []string{"4155550100"}}, "phone_number"},
			{"phone with letters", body{"phone_number": []string{"+1 415 CALL NOW"}}, "phone_number"},
			{"phone country code 0", body{"phone_number": []string{"+0123456789"}}, "phone_number"},
			{"phone too short", body{"phone_number": []string{"+12345"}}, "phone_number"},
			{"phone too long", body{"phone_number": []string{"+1234567890123456"}}, "phone_number"},
			{"username too short", body{"username": "ada"}, "username"},
			{"username too long", body{"username": strings.Repeat("a", 65)}, "username"},
			{"username with a space", body{"username": "ada lovelace"}, "username"},
			{"username with non-ASCII", body{"username": "ädä_l"}, "username"},
		} {
			c.body["email_address"] = email
			c.body["skip_password_requirement"] = true
			ts.as(t).do("POST", "/api/v1/users", c.body).wantError(t, 400, latchkey.CodeFormParamInvalid, c.param)
		}

		// With passwords off, neither a password nor a digest is taken.
		ts.patchSettings(t, `{"password":{"enabled":false,"required":false}}`)
		ts.do("POST", "/api/v1/users", body{"email_address": email, "password": "correct horse battery"}).
			wantError(t, 422, latchkey.CodePasswordNotAllowed, "password")
		ts.do("POST", "/api/v1/users", body{"email_address": email, "password_digest": bcryptDigest(t, "x"), "password_hasher": "bcrypt"}).
			wantError(t, 422, latchkey.CodePasswordNotAllowed, "password_digest")

		// Nothing was created by any of the refused requests.
		var count struct {
			Object     string `json:"object"`
			TotalCount int    `json:"total_count"`
		}
		ts.do("GET", "/api/v1/users/count", nil).decode(t, &count)
		if count.TotalCount != 0 {
			t.Errorf("%d users after refused creations, want 0", count.TotalCount)
		}
	})
}

func TestUsersConflicts(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.enableAllIdentifiers(t)
		ada := ts.createUser(t, map[string]any{
			"email_address": []string{"Ada@Example.com"}, "phone_number": []string{"+1 (415) 555-0100"},
			"username": "Ada_L", "external_id": "ext-1",
		})
		grace := ts.createUser(t, map[string]any{"email_address": []string{"grace@example.com"}})
		fresh := func() []string { return []string{latchkey.RandomString(8) + "@example.com"} }
		cases := []struct {
			name   string
			fields map[string]any
			param  string
		}{
			{"email in other case", map[string]any{"email_address": []string{"ada@example.COM"}}, "email_address"},
			{"email among others", map[string]any{"email_address": []string{"new@example.com", " ADA@EXAMPLE.COM "}}, "email_address"},
			{"phone in other format", map[string]any{"email_address": fresh(), "phone_number": []string{"+14155550100"}}, "phone_number"},
			{"phone with other separators", map[string]any{"email_address": fresh(), "phone_number": []string{"+1.415.555.0100"}}, "phone_number"},
			{"username in other case", map[string]any{"email_address": fresh(), "username": "ADA_L"}, "username"},
			{"external id", map[string]any{"email_address": fresh(), "external_id": "ext-1"}, "external_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.fields["skip_password_requirement"] = true
				ts.as(t).do("POST", "/api/v1/users", c.fields).wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, c.param)
			})
		}
		res := ts.do("POST", "/api/v1/users", map[string]any{"email_address": []string{"ADA@example.com"}, "skip_password_requirement": true})
		golden(t, "error_409_email", res.Body)

		// Taking another user's username or external ID by update.
		ts.do("PATCH", "/api/v1/users/"+grace.ID, `{"username":"ada_L"}`).wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "username")
		ts.do("PATCH", "/api/v1/users/"+grace.ID, `{"external_id":"ext-1"}`).wantError(t, http.StatusConflict, latchkey.CodeIdentifierExists, "external_id")

		// A refused creation leaves nothing behind: the new email address of
		// "email among others" is still free, and there are two users.
		ts.createUser(t, map[string]any{"email_address": []string{"new@example.com"}})
		var count struct {
			Object     string `json:"object"`
			TotalCount int    `json:"total_count"`
		}
		ts.do("GET", "/api/v1/users/count", nil).decode(t, &count)
		if count.TotalCount != 3 {
			t.Errorf("%d users, want 3 (ada, grace, new)", count.TotalCount)
		}
		// The refused update left grace as she was.
		var g userJSON
		ts.do("GET", "/api/v1/users/"+grace.ID, nil).decode(t, &g)
		if g.Username != nil || g.ExternalID != nil {
			t.Errorf("grace after refused updates: username %v external_id %v", g.Username, g.ExternalID)
		}
		// ...and ada keeps what the others tried to take.
		var a userJSON
		ts.do("GET", "/api/v1/users/"+ada.ID, nil).decode(t, &a)
		if a.Username == nil || *a.Username != "ada_l" || a.ExternalID == nil || *a.ExternalID != "ext-1" ||
			len(a.EmailAddresses) != 1 || len(a.PhoneNumbers) != 1 {
			t.Errorf("ada after conflicts: %+v", a)
		}

		// Racing creations of one address: exactly one wins, the others
		// get 409, never 500.
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				status, body, err := ts.send("POST", "/api/v1/users", `{"email_address":["race@example.com"],"skip_password_requirement":true}`)
				if err != nil {
					t.Errorf("racing create: %v", err)
				}
				if status != 200 && status != 409 {
					t.Errorf("racing create: status %d: %s", status, body)
				}
				statuses <- status
			})
		}
		wg.Wait()
		close(statuses)
		won := 0
		for s := range statuses {
			if s == 200 {
				won++
			}
		}
		if won != 1 {
			t.Errorf("%d racing creations of one address succeeded, want 1", won)
		}
	})
}

// listUsers lists with the raw query and returns the IDs and total count.
func listUsers(t *testing.T, ts *testServer, query string) ([]string, int) {
	t.Helper()
	res := ts.as(t).do("GET", "/api/v1/users?"+query, nil)
	res.wantStatus(t, http.StatusOK)
	var out listJSON[userJSON]
	res.decode(t, &out)
	ids := make([]string, 0, len(out.Data))
	for _, u := range out.Data {
		ids = append(ids, u.ID)
	}
	return ids, out.TotalCount
}

func TestUsersList(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.enableAllIdentifiers(t)
		ada := ts.createUser(t, map[string]any{"email_address": []string{"Ada@Example.com"}, "phone_number": []string{"+14155550100"},
			"username": "ada_l", "external_id": "ext-1", "first_name": "Ada", "last_name": "Lovelace"}).ID
		grace := ts.createUser(t, map[string]any{"email_address": []string{"grace@example.com"}, "username": "grace_h",
			"external_id": "ext-2", "first_name": "Grace", "last_name": "Hopper"}).ID
		alan := ts.createUser(t, map[string]any{"email_address": []string{"alan@turing.example"}, "phone_number": []string{"+44 20 7183 8750"},
			"first_name": "Alan", "last_name": "Turing_100%"}).ID
		// Touch ada last, so updated_at orders differently from created_at.
		ts.do("PATCH", "/api/v1/users/"+ada, `{"first_name":"Augusta Ada"}`).wantStatus(t, http.StatusOK)

		q := url.QueryEscape
		cases := []struct {
			name  string
			query string
			want  []string
			total int
		}{
			{"all, newest first", "", []string{alan, grace, ada}, 3},
			{"email, any case", "email_address=" + q("ADA@example.COM"), []string{ada}, 1},
			{"email padded", "email_address=" + q(" ada@example.com "), []string{ada}, 1},
			{"emails repeated", "email_address=" + q("ada@example.com") + "&email_address=" + q("grace@example.com"), []string{grace, ada}, 2},
			{"email unknown", "email_address=" + q("nobody@example.com"), []string{}, 0},
			{"email not an email", "email_address=not-an-email", []string{}, 0},
			{"phone with separators", "phone_number=" + q("+1 (415) 555-0100"), []string{ada}, 1},
			{"phone with dots", "phone_number=" + q("+44.20.7183.8750"), []string{alan}, 1},
			{"phone not a phone", "phone_number=555", []string{}, 0},
			{"username, any case", "username=ADA_L", []string{ada}, 1},
			{"user ids repeated", "user_id=" + ada + "&user_id=" + alan, []string{alan, ada}, 2},
			{"user id unknown", "user_id=" + latchkey.NewID(latchkey.PrefixUser), []string{}, 0},
			{"external id", "external_id=ext-2", []string{grace}, 1},
			{"external ids repeated", "external_id=ext-2&external_id=ext-1", []string{grace, ada}, 2},
			{"query last name", "query=hopper", []string{grace}, 1},
			{"query email domain", "query=turing.example", []string{alan}, 1},
			{"query any case", "query=ADA", []string{ada}, 1},
			{"query external id", "query=ext-", []string{grace, ada}, 2},
			{"query phone", "query=" + q("+1415"), []string{ada}, 1},
			{"query id", "query=" + grace, []string{grace}, 1},
			{"query percent is literal", "query=" + q("100%"), []string{alan}, 1},
			{"query underscore is literal", "query=" + q("g_h"), []string{}, 0},
			{"query matches nothing", "query=zzz", []string{}, 0},
			{"filters AND", "email_address=" + q("ada@example.com") + "&username=grace_h", []string{}, 0},
			{"filters AND match", "email_address=" + q("ada@example.com") + "&external_id=ext-1&query=love", []string{ada}, 1},
			{"order created_at", "order_by=created_at", []string{ada, grace, alan}, 3},
			{"order +created_at", "order_by=" + q("+created_at"), []string{ada, grace, alan}, 3},
			{"order -created_at", "order_by=-created_at", []string{alan, grace, ada}, 3},
			{"order +created_at unescaped", "order_by=+created_at", []string{ada, grace, alan}, 3},
			{"order updated_at", "order_by=updated_at", []string{grace, alan, ada}, 3},
			{"order -updated_at", "order_by=-updated_at", []string{ada, alan, grace}, 3},
			{"limit", "limit=2", []string{alan, grace}, 3},
			{"limit and offset", "limit=2&offset=2", []string{ada}, 3},
			{"offset", "offset=1", []string{grace, ada}, 3},
			{"offset past the end", "offset=5", []string{}, 3},
			{"limit, offset and order", "order_by=created_at&limit=1&offset=1", []string{grace}, 3},
			{"filter and paging", "query=example.com&limit=1", []string{grace}, 2},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				ids, total := listUsers(t, ts, c.query)
				if diff := cmp.Diff(c.want, ids); diff != "" || total != c.total {
					t.Errorf("GET /api/v1/users?%s: total %d, want %d; ids (-want +got):\n%s", c.query, total, c.total, diff)
				}
				// The count endpoint agrees, ignoring paging.
				var filters []string
				for _, kv := range strings.Split(c.query, "&") {
					if kv != "" && !strings.HasPrefix(kv, "limit=") && !strings.HasPrefix(kv, "offset=") && !strings.HasPrefix(kv, "order_by=") {
						filters = append(filters, kv)
					}
				}
				res := ts.as(t).do("GET", "/api/v1/users/count?"+strings.Join(filters, "&"), nil)
				res.wantStatus(t, http.StatusOK)
				var count struct {
					Object     string `json:"object"`
					TotalCount int    `json:"total_count"`
				}
				res.decode(t, &count)
				if count.Object != "total_count" || count.TotalCount != c.total {
					t.Errorf("count?%s = %s, want total_count %d", strings.Join(filters, "&"), res.Body, c.total)
				}
			})
		}
		// Nobody has signed in, so last_sign_in_at ties everywhere and the
		// ID breaks the tie, in the same direction.
		asc, _ := listUsers(t, ts, "order_by=last_sign_in_at")
		desc, _ := listUsers(t, ts, "order_by=-last_sign_in_at")
		if len(asc) != 3 || !(asc[0] < asc[1] && asc[1] < asc[2]) {
			t.Errorf("order_by=last_sign_in_at: %v, want IDs ascending", asc)
		}
		if len(desc) != 3 || desc[0] != asc[2] || desc[2] != asc[0] {
			t.Errorf("order_by=-last_sign_in_at: %v, want the reverse of %v", desc, asc)
		}

		res := ts.do("GET", "/api/v1/users?order_by=created_at", nil)
		golden(t, "users_list", res.Body)
		res = ts.do("GET", "/api/v1/users/count?query=example", nil)
		golden(t, "users_count", res.Body)
	})
}

func TestUsersUpdate(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.enableAllIdentifiers(t)
		created := ts.createUser(t, map[string]any{
			"email_address": []string{"ada@example.com", "ada@work.example"}, "phone_number": []string{"+14155550100"},
			"first_name": "Ada", "last_name": "Byron", "external_id": "ext-1",
			"public_metadata": map[string]any{"a": 1}, "private_metadata": map[string]any{"p": 1},
		})
		path := "/api/v1/users/" + created.ID
		patch := func(t *testing.T, body string) userJSON {
			t.Helper()
			res := ts.as(t).do("PATCH", path, body)
			res.wantStatus(t, http.StatusOK)
			var u userJSON
			res.decode(t, &u)
			return u
		}
		str := func(p *string) string {
			if p == nil {
				return "<null>"
			}
			return *p
		}

		u := patch(t, `{"last_name":"Lovelace","first_name":"Augusta Ada"}`)
		if str(u.FirstName) != "Augusta Ada" || str(u.LastName) != "Lovelace" || str(u.ExternalID) != "ext-1" {
			t.Errorf("names: first %s last %s external %s", str(u.FirstName), str(u.LastName), str(u.ExternalID))
		}
		if u.UpdatedAt <= created.UpdatedAt || u.CreatedAt != created.CreatedAt {
			t.Errorf("updated_at %d (was %d), created_at %d (was %d)", u.UpdatedAt, created.UpdatedAt, u.CreatedAt, created.CreatedAt)
		}
		// Absent fields stay, null fields stay, empty strings remove.
		u = patch(t, `{"first_name":null}`)
		if str(u.FirstName) != "Augusta Ada" {
			t.Errorf("first_name after null: %s, want unchanged", str(u.FirstName))
		}
		u = patch(t, `{"last_name":"","external_id":""}`)
		if u.LastName != nil || u.ExternalID != nil {
			t.Errorf("last_name %s external_id %s after empty strings, want null", str(u.LastName), str(u.ExternalID))
		}

		// Username: set, change, set the same in another case, remove.
		u = patch(t, `{"username":"Ada_L"}`)
		if str(u.Username) != "ada_l" {
			t.Errorf("username %s, want ada_l", str(u.Username))
		}
		u = patch(t, `{"username":"countess"}`)
		if str(u.Username) != "countess" {
			t.Errorf("username %s, want countess", str(u.Username))
		}
		u = patch(t, `{"username":"COUNTESS"}`)
		if str(u.Username) != "countess" {
			t.Errorf("username %s, want countess", str(u.Username))
		}
		// The old username is free again.
		ts.createUser(t, map[string]any{"email_address": []string{"other@example.com"}, "username": "ada_l"})
		u = patch(t, `{"username":""}`)
		if u.Username != nil {
			t.Errorf("username %s after removal, want null", str(u.Username))
		}
		ts.as(t).do("PATCH", path, `{"username":"no"}`).wantError(t, 400, latchkey.CodeFormParamInvalid, "username")

		// Primary email address: another of the user's, not someone else's.
		second := created.EmailAddresses[1].ID
		u = patch(t, `{"primary_email_address_id":"`+second+`"}`)
		if str(u.PrimaryEmailAddressID) != second {
			t.Errorf("primary_email_address_id %s, want %s", str(u.PrimaryEmailAddressID), second)
		}
		for _, bad := range []string{latchkey.NewID("idn_email"), created.PhoneNumbers[0].ID, ""} {
			ts.as(t).do("PATCH", path, `{"primary_email_address_id":"`+bad+`"}`).
				wantError(t, 400, latchkey.CodeFormParamValue, "primary_email_address_id")
		}
		ts.as(t).do("PATCH", path, `{"primary_phone_number_id":"`+created.EmailAddresses[0].ID+`"}`).
			wantError(t, 400, latchkey.CodeFormParamValue, "primary_phone_number_id")

		// Metadata given to PATCH /users/{id} replaces, whole.
		u = patch(t, `{"public_metadata":{"b":{"c":2}},"unsafe_metadata":{"u":true}}`)
		if string(u.PublicMetadata) != `{"b":{"c":2}}` || string(u.PrivateMetadata) != `{"p":1}` || string(u.UnsafeMetadata) != `{"u":true}` {
			t.Errorf("metadata after replace: %s %s %s", u.PublicMetadata, u.PrivateMetadata, u.UnsafeMetadata)
		}
		// null leaves a field alone, as for names; {} empties it.
		u = patch(t, `{"public_metadata":null,"private_metadata":{}}`)
		if string(u.PublicMetadata) != `{"b":{"c":2}}` || string(u.PrivateMetadata) != `{}` {
			t.Errorf("metadata after null and {}: %s %s", u.PublicMetadata, u.PrivateMetadata)
		}
		ts.as(t).do("PATCH", path, `{"public_metadata":[1]}`).wantError(t, 400, latchkey.CodeFormParamInvalid, "public_metadata")

		// Bad input names its parameter and changes nothing.
		for _, c := range []struct {
			body, param string
			code        latchkey.Code
		}{
			{`{"first_name":5}`, "first_name", latchkey.CodeFormParamInvalid},
			{`{"username":["a"]}`, "username", latchkey.CodeFormParamInvalid},
			{`{"email_address":["x@example.com"]}`, "email_address", latchkey.CodeFormParamUnknown},
			{`{"password":"short"}`, "password", latchkey.CodePasswordTooShort},
			{`{"first_name":"` + strings.Repeat("a", 257) + `"}`, "first_name", latchkey.CodeFormParamInvalid},
		} {
			res := ts.as(t).do("PATCH", path, c.body)
			res.wantError(t, statusOf[c.code], c.code, c.param)
		}
		before := u
		var after userJSON
		ts.do("GET", path, nil).decode(t, &after)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("refused updates changed the user (-before +after):\n%s", diff)
		}

		// Password: set through PATCH, then it verifies.
		if u.PasswordEnabled {
			t.Fatalf("password_enabled before setting one")
		}
		u = patch(t, `{"password":"correct horse battery staple"}`)
		if !u.PasswordEnabled || u.PasswordLastUpdatedAt == nil {
			t.Errorf("password_enabled %v password_last_updated_at %v after setting one", u.PasswordEnabled, u.PasswordLastUpdatedAt)
		}
		stored, err := ts.store.UserByID(context.Background(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := ts.users.VerifyPassword(context.Background(), stored, "correct horse battery staple"); !ok || err != nil {
			t.Errorf("VerifyPassword after PATCH = %v, %v; want true", ok, err)
		}
		if strings.Contains(ts.logs.String(), "correct horse") {
			t.Errorf("the log carries the password")
		}
		// An empty PATCH changes nothing but is fine.
		patch(t, `{}`)
	})
}

func TestUsersLastIdentifier(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ts.patchSettings(t, `{"email_address":{"required":false},"username":{"enabled":true}}`)
		u := ts.createUser(t, map[string]any{"username": "ada_l"})
		if len(u.EmailAddresses) != 0 || u.PrimaryEmailAddressID != nil {
			t.Errorf("user without email: %+v", u)
		}
		res := ts.do("PATCH", "/api/v1/users/"+u.ID, `{"username":""}`)
		res.wantError(t, 422, latchkey.CodeLastIdentifier, "username")
		golden(t, "error_422_last_identifier", res.Body)
		// Required usernames cannot be removed either.
		ts.patchSettings(t, `{"username":{"required":true}}`)
		v := ts.createUser(t, map[string]any{"username": "grace_h", "email_address": []string{"grace@example.com"}})
		ts.do("PATCH", "/api/v1/users/"+v.ID, `{"username":""}`).wantError(t, 422, latchkey.CodeIdentifierRequired, "username")
		ts.do("POST", "/api/v1/users", `{"email_address":["alan@example.com"],"skip_password_requirement":true}`).
			wantError(t, 422, latchkey.CodeIdentifierRequired, "username")
	})
}

func TestUsersMetadataMerge(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.createUser(t, map[string]any{
			"email_address":    []string{"ada@example.com"},
			"public_metadata":  map[string]any{"a": map[string]any{"x": 1, "y": 2}, "keep": true, "drop": "me", "list": []int{1, 2}},
			"private_metadata": map[string]any{"secret": "s"},
		})
		path := "/api/v1/users/" + u.ID + "/metadata"
		res := ts.do("PATCH", path, `{"public_metadata":{"a":{"y":3,"z":{"deep":true}},"drop":null,"list":[3],"big":12345678901234567890,"new":"v"},
			"unsafe_metadata":{"theme":"dark"}}`)
		res.wantStatus(t, http.StatusOK)
		golden(t, "users_metadata_merge", res.Body)
		var got userJSON
		res.decode(t, &got)
		wantPublic := `{"a":{"x":1,"y":3,"z":{"deep":true}},"big":12345678901234567890,"keep":true,"list":[3],"new":"v"}`
		if string(got.PublicMetadata) != wantPublic {
			t.Errorf("public_metadata = %s, want %s", got.PublicMetadata, wantPublic)
		}
		if string(got.PrivateMetadata) != `{"secret":"s"}` || string(got.UnsafeMetadata) != `{"theme":"dark"}` {
			t.Errorf("private %s unsafe %s", got.PrivateMetadata, got.UnsafeMetadata)
		}
		// Replacing an object by a value and a value by an object.
		res = ts.do("PATCH", path, `{"public_metadata":{"a":"flat","keep":{"now":"object"}},"private_metadata":null}`)
		res.decode(t, &got)
		if want := `{"a":"flat","big":12345678901234567890,"keep":{"now":"object"},"list":[3],"new":"v"}`; string(got.PublicMetadata) != want {
			t.Errorf("public_metadata = %s, want %s", got.PublicMetadata, want)
		}
		if string(got.PrivateMetadata) != `{"secret":"s"}` {
			t.Errorf("private_metadata null in a merge changed it: %s", got.PrivateMetadata)
		}
		for _, c := range []struct {
			body, param string
			code        latchkey.Code
		}{
			{`{"public_metadata":[1]}`, "public_metadata", latchkey.CodeFormParamInvalid},
			{`{"public_metadata":"x"}`, "public_metadata", latchkey.CodeFormParamInvalid},
			{`{"metadata":{}}`, "metadata", latchkey.CodeFormParamUnknown},
			{`{"public_metadata":{"blob":"` + strings.Repeat("x", 8*1024) + `"}}`, "public_metadata", latchkey.CodeFormParamValue},
		} {
			ts.as(t).do("PATCH", path, c.body).wantError(t, statusOf[c.code], c.code, c.param)
		}
		ts.do("PATCH", path, ``).wantError(t, 400, latchkey.CodeRequestBodyInvalid, "")

		// Concurrent merges of different keys all survive.
		const n = 10
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				status, body, err := ts.send("PATCH", path, fmt.Sprintf(`{"public_metadata":{"k%d":%d},"private_metadata":{"nested":{"k%d":true}}}`, i, i, i))
				if err != nil || status != http.StatusOK {
					t.Errorf("concurrent merge %d: %d %v %s", i, status, err, body)
				}
			})
		}
		wg.Wait()
		var final userJSON
		ts.do("GET", "/api/v1/users/"+u.ID, nil).decode(t, &final)
		var pub, priv map[string]any
		json.Unmarshal(final.PublicMetadata, &pub)
		json.Unmarshal(final.PrivateMetadata, &priv)
		nested, _ := priv["nested"].(map[string]any)
		for i := range n {
			if _, ok := pub[fmt.Sprintf("k%d", i)]; !ok {
				t.Errorf("public_metadata lost k%d in concurrent merges: %s", i, final.PublicMetadata)
			}
			if _, ok := nested[fmt.Sprintf("k%d", i)]; !ok {
				t.Errorf("private_metadata.nested lost k%d in concurrent merges: %s", i, final.PrivateMetadata)
			}
		}
		if pub["a"] != "flat" || priv["secret"] != "s" {
			t.Errorf("concurrent merges lost older keys: %s %s", final.PublicMetadata, final.PrivateMetadata)
		}
	})
}

func TestUsersDelete(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}, "external_id": "ext-1"})
		other := ts.createUser(t, map[string]any{"email_address": []string{"grace@example.com"}})
		res := ts.do("DELETE", "/api/v1/users/"+u.ID, nil)
		res.wantStatus(t, http.StatusOK)
		golden(t, "users_delete", res.Body)
		var d deletedJSON
		res.decode(t, &d)
		if d != (deletedJSON{Object: "user", ID: u.ID, Deleted: true}) {
			t.Errorf("delete response %+v", d)
		}
		ts.do("GET", "/api/v1/users/"+u.ID, nil).wantError(t, 404, latchkey.CodeResourceNotFound, "id")
		ts.do("DELETE", "/api/v1/users/"+u.ID, nil).wantError(t, 404, latchkey.CodeResourceNotFound, "id")
		ids, total := listUsers(t, ts, "")
		if total != 1 || len(ids) != 1 || ids[0] != other.ID {
			t.Errorf("after delete: %v (total %d), want only %s", ids, total, other.ID)
		}
		// Its identifiers and external ID went with it.
		again := ts.createUser(t, map[string]any{"email_address": []string{"ADA@example.com"}, "external_id": "ext-1"})
		if again.ID == u.ID {
			t.Errorf("a new user got the deleted user's ID")
		}
	})
}

func TestUsersBanLock(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		u := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"}})
		if u.Banned || u.Locked {
			t.Fatalf("new user banned %v locked %v", u.Banned, u.Locked)
		}
		steps := []struct {
			action         string
			body           any
			banned, locked bool
		}{
			{"ban", nil, true, false},
			{"ban", `{}`, true, false}, // idempotent
			{"lock", nil, true, true},
			{"unban", nil, false, true},
			{"unlock", `{}`, false, false},
			{"unlock", nil, false, false},
		}
		last := u.UpdatedAt
		for _, s := range steps {
			res := ts.as(t).do("POST", "/api/v1/users/"+u.ID+"/"+s.action, s.body)
			res.wantStatus(t, http.StatusOK)
			var got userJSON
			res.decode(t, &got)
			if got.Banned != s.banned || got.Locked != s.locked || got.LockoutExpiresInSeconds != nil {
				t.Errorf("after %s: banned %v locked %v lockout %v, want %v %v nil", s.action, got.Banned, got.Locked,
					got.LockoutExpiresInSeconds, s.banned, s.locked)
			}
			if got.UpdatedAt <= last {
				t.Errorf("after %s: updated_at %d did not advance from %d", s.action, got.UpdatedAt, last)
			}
			last = got.UpdatedAt
			var stored userJSON
			ts.as(t).do("GET", "/api/v1/users/"+u.ID, nil).decode(t, &stored)
			if stored.Banned != s.banned || stored.Locked != s.locked {
				t.Errorf("after %s, GET: banned %v locked %v", s.action, stored.Banned, stored.Locked)
			}
		}
		golden(t, "users_ban", ts.do("POST", "/api/v1/users/"+u.ID+"/ban", nil).Body)
		golden(t, "users_lock", ts.do("POST", "/api/v1/users/"+u.ID+"/lock", nil).Body)
	})
}

// bcryptDigest returns a cheap bcrypt digest of pw.
func bcryptDigest(t *testing.T, pw string) string {
	t.Helper()
	d, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(d)
}

func TestUsersPasswordImport(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, engine string) {
		ts := newTestServer(t, engine)
		ctx := context.Background()
		digest := bcryptDigest(t, "imported secret")
		u := ts.createUser(t, map[string]any{"email_address": []string{"ada@example.com"},
			"password_digest": digest, "password_hasher": "bcrypt"})
		if !u.PasswordEnabled {
			t.Fatalf("imported bcrypt user: password_enabled false")
		}
		stored, err := ts.store.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.PasswordHash != digest {
			t.Fatalf("stored hash %q, want the imported digest", stored.PasswordHash)
		}
		// A wrong password fails and leaves the digest alone.
		if ok, err := ts.users.VerifyPassword(ctx, stored, "wrong secret"); ok || err != nil {
			t.Errorf("VerifyPassword(wrong) = %v, %v", ok, err)
		}
		if again, _ := ts.store.UserByID(ctx, u.ID); again.PasswordHash != digest {
			t.Errorf("a failed check replaced the digest")
		}
		// The right one succeeds and upgrades the hash to argon2id with the
		// instance's parameters.
		if ok, err := ts.users.VerifyPassword(ctx, stored, "imported secret"); !ok || err != nil {
			t.Fatalf("VerifyPassword(right) = %v, %v", ok, err)
		}
		upgraded, err := ts.store.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(upgraded.PasswordHash, "$argon2id$v=19$m=47104,t=1,p=1$") {
			t.Fatalf("hash after sign-in %q, want argon2id m=47104,t=1,p=1", upgraded.PasswordHash)
		}
		if ok, err := ts.users.VerifyPassword(ctx, upgraded, "imported secret"); !ok || err != nil {
			t.Errorf("VerifyPassword on the upgraded hash = %v, %v", ok, err)
		}
		// The API still shows a password and never the hash.
		res := ts.do("GET", "/api/v1/users/"+u.ID, nil)
		if strings.Contains(string(res.Body), "$2a$") || strings.Contains(string(res.Body), "argon2") {
			t.Errorf("the user JSON carries the hash:\n%s", res.Body)
		}

		// An argon2id digest is stored as is (no hashing at import).
		phc := "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"
		v := ts.createUser(t, map[string]any{"email_address": []string{"grace@example.com"},
			"password_digest": phc, "password_hasher": "argon2id"})
		if s, _ := ts.store.UserByID(ctx, v.ID); s == nil || s.PasswordHash != phc {
			t.Errorf("argon2id import stored %v, want the digest", s)
		}

		// skip_password_checks lets an old short password in.
		w := ts.createUser(t, map[string]any{"email_address": []string{"alan@example.com"},
			"password": "short", "skip_password_checks": true})
		if !w.PasswordEnabled {
			t.Errorf("skip_password_checks: password_enabled false")
		}
	})
}
