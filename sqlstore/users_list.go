package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// UserFilter selects users. Empty fields match everything; values inside one
// list are alternatives (OR), different fields must all match (AND).
type UserFilter struct {
	UserIDs        []string
	ExternalIDs    []string
	EmailAddresses []string // normalized
	PhoneNumbers   []string // normalized
	Usernames      []string // normalized
	// Query matches a substring of the ID, names, external ID or any
	// identifier, case-insensitively.
	Query string
	// OrderBy is one of UserOrders, optionally prefixed with "-" (descending)
	// or "+" (ascending). Default "-created_at".
	OrderBy string
	Limit   int // 0: no limit
	Offset  int
}

// UserOrders are the columns users can be ordered by.
var UserOrders = []string{"created_at", "updated_at", "last_sign_in_at"}

// Users returns the users matching f, and how many match f ignoring Limit and
// Offset.
func (s *Store) Users(ctx context.Context, f UserFilter) ([]*latchkey.User, int, error) {
	where, args, err := f.where()
	if err != nil {
		return nil, 0, err
	}
	order, err := f.order()
	if err != nil {
		return nil, 0, err
	}
	c := s.reader()
	var total int
	if err := c.queryRow(ctx, `SELECT COUNT(*) FROM users`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	q := `SELECT ` + userColumns + ` FROM users` + where + ` ORDER BY ` + order
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	} else if f.Offset > 0 {
		q += fmt.Sprintf(" LIMIT -1 OFFSET %d", f.Offset)
		if s.engine == postgres {
			q = strings.Replace(q, "LIMIT -1 ", "", 1)
		}
	}
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var users []*latchkey.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	if err := attachIdentifiers(ctx, c, users); err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// CountUsers returns how many users match f.
func (s *Store) CountUsers(ctx context.Context, f UserFilter) (int, error) {
	where, args, err := f.where()
	if err != nil {
		return 0, err
	}
	var n int
	if err := s.reader().queryRow(ctx, `SELECT COUNT(*) FROM users`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

func (f UserFilter) where() (string, []any, error) {
	var conds []string
	var args []any
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		conds = append(conds, col+` IN (`+placeholders(len(vals))+`)`)
		for _, v := range vals {
			args = append(args, v)
		}
	}
	identifier := func(t latchkey.IdentifierType, vals []string) {
		if len(vals) == 0 {
			return
		}
		conds = append(conds, `id IN (SELECT user_id FROM identifiers WHERE type = ? AND normalized IN (`+placeholders(len(vals))+`))`)
		args = append(args, string(t))
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("id", f.UserIDs)
	in("external_id", f.ExternalIDs)
	identifier(latchkey.IdentifierEmail, f.EmailAddresses)
	identifier(latchkey.IdentifierPhone, f.PhoneNumbers)
	identifier(latchkey.IdentifierUsername, f.Usernames)
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		conds = append(conds, `(LOWER(id) LIKE ? ESCAPE '\' OR LOWER(first_name) LIKE ? ESCAPE '\'
			OR LOWER(last_name) LIKE ? ESCAPE '\' OR LOWER(external_id) LIKE ? ESCAPE '\'
			OR id IN (SELECT user_id FROM identifiers WHERE normalized LIKE ? ESCAPE '\'))`)
		args = append(args, like, like, like, like, like)
	}
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

func (f UserFilter) order() (string, error) {
	o := f.OrderBy
	if o == "" {
		o = "-created_at"
	}
	dir := "ASC"
	switch o[0] {
	case '-':
		dir, o = "DESC", o[1:]
	case '+', ' ': // an unescaped + in a query string arrives as a space
		o = o[1:]
	}
	for _, col := range UserOrders {
		if o == col {
			return col + " " + dir + ", id " + dir, nil
		}
	}
	return "", latchkey.Errorf(latchkey.CodeFormParamValue, "order_by",
		"order_by must be one of %s, optionally prefixed with + or -.", strings.Join(UserOrders, ", "))
}

// escapeLike escapes LIKE wildcards so a search matches them literally.
func escapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
