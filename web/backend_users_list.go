package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Paging limits of list endpoints.
const (
	defaultLimit = 10
	maxLimit     = 500
)

// usersList is GET /api/v1/users.
func (s *Server) usersList(w http.ResponseWriter, r *http.Request) error {
	f, err := s.userFilter(r.URL.Query(), true)
	if err != nil {
		return err
	}
	users, total, err := s.store.Users(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.withExternalAccountsAll(r.Context(), users); err != nil {
		return err
	}
	out := listJSON[userJSON]{Data: make([]userJSON, 0, len(users)), TotalCount: total}
	now := time.Now()
	for _, u := range users {
		out.Data = append(out.Data, newUserJSON(u, now))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// usersCount is GET /api/v1/users/count.
func (s *Server) usersCount(w http.ResponseWriter, r *http.Request) error {
	f, err := s.userFilter(r.URL.Query(), false)
	if err != nil {
		return err
	}
	n, err := s.store.CountUsers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "total_count", "total_count": n})
	return nil
}

// userFilter parses the list filters. Identifier filters are normalized the
// way identifiers are stored, so "Ada@Example.com" finds "ada@example.com";
// a value that cannot be an identifier at all matches nothing rather than
// failing the request. Unknown parameters are rejected so typos do not
// silently return everything.
func (s *Server) userFilter(q url.Values, paging bool) (sqlstore.UserFilter, error) {
	allowed := map[string]bool{"email_address": true, "phone_number": true, "username": true,
		"user_id": true, "external_id": true, "query": true}
	if paging {
		allowed["limit"], allowed["offset"], allowed["order_by"] = true, true, true
	}
	for k := range q {
		if !allowed[k] {
			return sqlstore.UserFilter{}, latchkey.Errorf(latchkey.CodeFormParamUnknown, k, "%q is not a query parameter of this endpoint.", truncate(k, 100))
		}
	}
	set := s.instance.Settings()
	norm := func(t latchkey.IdentifierType, vals []string) []string {
		var out []string
		for _, v := range vals {
			if _, n, err := auth.NormalizeIdentifier(t, v, set); err == nil {
				out = append(out, n)
			} else {
				// No stored identifier is empty, so "" matches nothing. (A
				// NUL-marked value did too on SQLite, but PostgreSQL refuses
				// NUL bytes in text and the request failed with a 500.)
				out = append(out, "")
			}
		}
		return out
	}
	f := sqlstore.UserFilter{
		UserIDs:        q["user_id"],
		ExternalIDs:    q["external_id"],
		EmailAddresses: norm(latchkey.IdentifierEmail, q["email_address"]),
		PhoneNumbers:   norm(latchkey.IdentifierPhone, q["phone_number"]),
		Usernames:      norm(latchkey.IdentifierUsername, q["username"]),
		Query:          q.Get("query"),
		OrderBy:        q.Get("order_by"),
	}
	if !paging {
		return f, nil
	}
	var err error
	if f.Limit, err = intParam(q, "limit", defaultLimit, 1, maxLimit); err != nil {
		return f, err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return f, err
	}
	return f, nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, latchkey.Errorf(latchkey.CodeFormParamInvalid, name, "%s must be a whole number.", name)
	}
	if n < lo || n > hi {
		return 0, latchkey.Errorf(latchkey.CodeFormParamValue, name, "%s must be between %d and %d.", name, lo, hi)
	}
	return n, nil
}
