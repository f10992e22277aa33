package sqlstore_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// listFixture creates the users the list tests search, one second apart in
// the order below, so the default order (-created_at) is the reverse of it.
// Their IDs are fixed ("user_0001"...) so that no query matches a random ID
// by chance.
//
// Their updated_at order is (oldest first) c, a, e, b, f, d and their
// last_sign_in_at order is d, f, b, e, a, c: both differ from creation order.
func listFixture(t *testing.T, s *sqlstore.Store) map[string]*latchkey.User {
	t.Helper()
	c := setClock(s)
	specs := []struct {
		key        string
		id         string
		externalID string
		first      string
		last       string
		ids        []*latchkey.Identifier
	}{
		{"a", "1", "ext-a", "Ada", "Lovelace", []*latchkey.Identifier{email("ada@Analytical.org"), username("ada_l"), phone("+441234567001")}},
		{"b", "2", "ext-b", "Grace", "Hopper", []*latchkey.Identifier{email("grace@navy.mil"), email("g.hopper@example.com")}},
		{"c", "3", "", "100% Real", "Person", []*latchkey.Identifier{email("real@example.com"), username("adaxl")}},
		{"d", "4", "", "Alan", "1000x", []*latchkey.Identifier{phone("+14155550199")}},
		{"e", "5", "EXT-E", `Back\slash`, "Smith", []*latchkey.Identifier{username("bob")}},
		{"f", "6", "", "", "", nil},
	}
	users := make(map[string]*latchkey.User)
	for _, sp := range specs {
		c.Add(time.Second)
		users[sp.key] = mustCreateUser(t, s, &latchkey.User{ID: "user_000" + sp.id, ExternalID: sp.externalID, FirstName: sp.first, LastName: sp.last, Identifiers: sp.ids})
	}
	signIn := map[string]time.Duration{"d": 1, "f": 2, "b": 3, "e": 4, "a": 5, "c": 6}
	for _, key := range []string{"c", "a", "e", "b", "f", "d"} {
		c.Add(time.Second)
		u, err := s.UpdateUser(t.Context(), users[key].ID, func(u *latchkey.User) error {
			u.LastSignInAt = stored(base.Add(signIn[key] * time.Hour))
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		users[key] = u
	}
	return users
}

// keysOf maps users back to their fixture keys.
func keysOf(users map[string]*latchkey.User, got []*latchkey.User) []string {
	byID := make(map[string]string, len(users))
	for k, u := range users {
		byID[u.ID] = k
	}
	keys := []string{}
	for _, u := range got {
		k, ok := byID[u.ID]
		if !ok {
			k = "unknown:" + u.ID
		}
		keys = append(keys, k)
	}
	return keys
}

func TestUsersFilter(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		users := listFixture(t, s)
		id := func(k string) string { return users[k].ID }
		tests := []struct {
			name string
			f    sqlstore.UserFilter
			want []string // fixture keys, newest first
		}{
			{"everyone", sqlstore.UserFilter{}, []string{"f", "e", "d", "c", "b", "a"}},
			{"user ids", sqlstore.UserFilter{UserIDs: []string{id("a"), id("c"), "user_missing"}}, []string{"c", "a"}},
			{"unknown user id", sqlstore.UserFilter{UserIDs: []string{"user_missing"}}, []string{}},
			{"external ids", sqlstore.UserFilter{ExternalIDs: []string{"ext-a", "EXT-E"}}, []string{"e", "a"}},
			{"external ids match exactly", sqlstore.UserFilter{ExternalIDs: []string{"ext-e"}}, []string{}},
			{"emails", sqlstore.UserFilter{EmailAddresses: []string{"ada@analytical.org", "g.hopper@example.com"}}, []string{"b", "a"}},
			{"user with two matching emails appears once", sqlstore.UserFilter{EmailAddresses: []string{"grace@navy.mil", "g.hopper@example.com"}}, []string{"b"}},
			{"email filter is not a phone filter", sqlstore.UserFilter{EmailAddresses: []string{"+14155550199"}}, []string{}},
			{"phones", sqlstore.UserFilter{PhoneNumbers: []string{"+14155550199", "+441234567001"}}, []string{"d", "a"}},
			{"usernames", sqlstore.UserFilter{Usernames: []string{"bob", "adaxl"}}, []string{"e", "c"}},
			{"fields combine with AND", sqlstore.UserFilter{EmailAddresses: []string{"ada@analytical.org"}, Usernames: []string{"bob"}}, []string{}},
			{"fields combine with AND, both match", sqlstore.UserFilter{UserIDs: []string{id("a"), id("b")}, EmailAddresses: []string{"ada@analytical.org", "real@example.com"}}, []string{"a"}},
			{"query first name, any case", sqlstore.UserFilter{Query: "GRAC"}, []string{"b"}},
			{"query last name", sqlstore.UserFilter{Query: "loveL"}, []string{"a"}},                // in no identifier
			{"query names and identifiers", sqlstore.UserFilter{Query: "ada"}, []string{"c", "a"}}, // c by username adaxl
			{"query external id", sqlstore.UserFilter{Query: "ext-e"}, []string{"e"}},
			{"query user id, other case", sqlstore.UserFilter{Query: "USER_0004"}, []string{"d"}},
			{"query email domain", sqlstore.UserFilter{Query: "navy.mil"}, []string{"b"}},
			{"query phone digits", sqlstore.UserFilter{Query: "555019"}, []string{"d"}},
			{"query username", sqlstore.UserFilter{Query: "bob"}, []string{"e"}},
			{"query trimmed", sqlstore.UserFilter{Query: "  hopper\t"}, []string{"b"}},
			{"query only spaces matches everyone", sqlstore.UserFilter{Query: "   "}, []string{"f", "e", "d", "c", "b", "a"}},
			{"query no match", sqlstore.UserFilter{Query: "zzz"}, []string{}},
			// LIKE wildcards in a query are literal characters.
			{"query percent is literal", sqlstore.UserFilter{Query: "100%"}, []string{"c"}},
			{"query lone percent", sqlstore.UserFilter{Query: "%"}, []string{"c"}},
			{"query underscore is literal", sqlstore.UserFilter{Query: "ada_"}, []string{"a"}},
			{"query backslash is literal", sqlstore.UserFilter{Query: `k\s`}, []string{"e"}},
			{"query with quote", sqlstore.UserFilter{Query: `o'brien`}, []string{}},
			{"query and filter", sqlstore.UserFilter{Query: "ada", Usernames: []string{"ada_l"}}, []string{"a"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got, total, err := s.Users(t.Context(), tt.f)
				if err != nil {
					t.Fatalf("Users: %v", err)
				}
				if diff := cmp.Diff(tt.want, keysOf(users, got)); diff != "" {
					t.Errorf("Users(%+v) (-want +got):\n%s", tt.f, diff)
				}
				if total != len(tt.want) {
					t.Errorf("total = %d, want %d", total, len(tt.want))
				}
				n, err := s.CountUsers(t.Context(), tt.f)
				if err != nil || n != len(tt.want) {
					t.Errorf("CountUsers = %d, %v, want %d", n, err, len(tt.want))
				}
				// Users come with their identifiers, as from UserByID.
				for _, u := range got {
					if diff := cmp.Diff(users[keysOf(users, []*latchkey.User{u})[0]], u); diff != "" {
						t.Errorf("listed user differs from the stored one (-stored +listed):\n%s", diff)
					}
				}
			})
		}
	})
}

func TestUsersOrder(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		users := listFixture(t, s)
		created := []string{"a", "b", "c", "d", "e", "f"}
		updated := []string{"c", "a", "e", "b", "f", "d"}
		signedIn := []string{"d", "f", "b", "e", "a", "c"}
		tests := []struct {
			orderBy string
			want    []string
		}{
			{"", reversed(created)},
			{"created_at", created},
			{"+created_at", created},
			{"-created_at", reversed(created)},
			{"updated_at", updated},
			{"+updated_at", updated},
			{"-updated_at", reversed(updated)},
			{"last_sign_in_at", signedIn},
			{"+last_sign_in_at", signedIn},
			{"-last_sign_in_at", reversed(signedIn)},
		}
		for _, tt := range tests {
			t.Run("order "+tt.orderBy, func(t *testing.T) {
				t.Parallel()
				got, _, err := s.Users(t.Context(), sqlstore.UserFilter{OrderBy: tt.orderBy})
				if err != nil {
					t.Fatalf("Users: %v", err)
				}
				if diff := cmp.Diff(tt.want, keysOf(users, got)); diff != "" {
					t.Errorf("order_by %q (-want +got):\n%s", tt.orderBy, diff)
				}
			})
		}
		for _, orderBy := range []string{"name", "-email_address", "+", "-", "++created_at", "created_at ", "CREATED_AT", "id", "created_at; DROP TABLE users"} {
			t.Run("invalid "+orderBy, func(t *testing.T) {
				t.Parallel()
				got, total, err := s.Users(t.Context(), sqlstore.UserFilter{OrderBy: orderBy})
				wantCode(t, err, latchkey.CodeFormParamValue, "order_by")
				if got != nil || total != 0 {
					t.Errorf("Users returned %d users, total %d with its error", len(got), total)
				}
			})
		}
	})
}

// TestUsersOrderTies checks that users with equal timestamps come in a stable
// order (by ID), so pages never repeat or skip a user.
func TestUsersOrderTies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		setClock(s) // never moves: every user has the same timestamps
		var ids []string
		for _, id := range []string{"user_c", "user_a", "user_d", "user_b"} {
			ids = append(ids, mustCreateUser(t, s, &latchkey.User{ID: id}).ID)
		}
		asc := []string{"user_a", "user_b", "user_c", "user_d"}
		for _, tt := range []struct {
			orderBy string
			want    []string
		}{{"created_at", asc}, {"-created_at", reversed(asc)}, {"-last_sign_in_at", reversed(asc)}, {"updated_at", asc}} {
			var got []string
			for offset := range len(ids) {
				page, total, err := s.Users(t.Context(), sqlstore.UserFilter{OrderBy: tt.orderBy, Limit: 1, Offset: offset})
				if err != nil || total != len(ids) || len(page) != 1 {
					t.Fatalf("Users page %d = %d users, total %d, %v", offset, len(page), total, err)
				}
				got = append(got, page[0].ID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("order_by %q, one per page (-want +got):\n%s", tt.orderBy, diff)
			}
		}
	})
}

func TestUsersPagination(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		users := listFixture(t, s)
		all := []string{"f", "e", "d", "c", "b", "a"}
		tests := []struct {
			name      string
			f         sqlstore.UserFilter
			want      []string
			wantTotal int
		}{
			{"first page", sqlstore.UserFilter{Limit: 2}, all[:2], 6},
			{"middle page", sqlstore.UserFilter{Limit: 2, Offset: 2}, all[2:4], 6},
			{"last, short page", sqlstore.UserFilter{Limit: 4, Offset: 4}, all[4:], 6},
			{"past the end", sqlstore.UserFilter{Limit: 2, Offset: 6}, []string{}, 6},
			{"offset without limit", sqlstore.UserFilter{Offset: 3}, all[3:], 6},
			{"offset without limit past the end", sqlstore.UserFilter{Offset: 60}, []string{}, 6},
			{"limit above count", sqlstore.UserFilter{Limit: 100}, all, 6},
			{"negative offset is zero", sqlstore.UserFilter{Limit: 2, Offset: -5}, all[:2], 6},
			{"negative limit is no limit", sqlstore.UserFilter{Limit: -1}, all, 6},
			{"total counts the filter, not the page", sqlstore.UserFilter{Query: "ada", Limit: 1}, []string{"c"}, 2},
			{"page of an ordered filter", sqlstore.UserFilter{Query: "ada", OrderBy: "created_at", Limit: 1, Offset: 1}, []string{"c"}, 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				got, total, err := s.Users(t.Context(), tt.f)
				if err != nil {
					t.Fatalf("Users: %v", err)
				}
				if diff := cmp.Diff(tt.want, keysOf(users, got)); diff != "" {
					t.Errorf("Users(%+v) (-want +got):\n%s", tt.f, diff)
				}
				if total != tt.wantTotal {
					t.Errorf("total = %d, want %d", total, tt.wantTotal)
				}
				// CountUsers ignores paging.
				if n, err := s.CountUsers(t.Context(), tt.f); err != nil || n != tt.wantTotal {
					t.Errorf("CountUsers = %d, %v, want %d", n, err, tt.wantTotal)
				}
			})
		}
	})
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
