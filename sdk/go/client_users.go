package latchkey

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// User is a user of the Backend API. Nullable strings are "" when null;
// times are Unix milliseconds.
type User struct {
	ID                    string         `json:"id"`
	Object                string         `json:"object"` // "user"
	ExternalID            string         `json:"external_id"`
	Username              string         `json:"username"`
	FirstName             string         `json:"first_name"`
	LastName              string         `json:"last_name"`
	ImageURL              string         `json:"image_url"`
	HasImage              bool           `json:"has_image"`
	PrimaryEmailAddressID string         `json:"primary_email_address_id"`
	PrimaryPhoneNumberID  string         `json:"primary_phone_number_id"`
	PasswordEnabled       bool           `json:"password_enabled"`
	TwoFactorEnabled      bool           `json:"two_factor_enabled"`
	EmailAddresses        []EmailAddress `json:"email_addresses"`
	PhoneNumbers          []PhoneNumber  `json:"phone_numbers"`
	PublicMetadata        map[string]any `json:"public_metadata"`
	PrivateMetadata       map[string]any `json:"private_metadata"`
	UnsafeMetadata        map[string]any `json:"unsafe_metadata"`
	Banned                bool           `json:"banned"`
	Locked                bool           `json:"locked"`
	// LastSignInAt is nil if the user never signed in.
	LastSignInAt *int64 `json:"last_sign_in_at"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

// PrimaryEmailAddress returns the address of the primary email, or "".
func (u *User) PrimaryEmailAddress() string {
	for _, e := range u.EmailAddresses {
		if e.ID == u.PrimaryEmailAddressID {
			return e.EmailAddress
		}
	}
	return ""
}

// EmailAddress is one of a user's email addresses.
type EmailAddress struct {
	ID           string       `json:"id"`
	Object       string       `json:"object"` // "email_address"
	EmailAddress string       `json:"email_address"`
	Verification Verification `json:"verification"`
	CreatedAt    int64        `json:"created_at"`
	UpdatedAt    int64        `json:"updated_at"`
}

// PhoneNumber is one of a user's phone numbers (E.164).
type PhoneNumber struct {
	ID           string       `json:"id"`
	Object       string       `json:"object"` // "phone_number"
	PhoneNumber  string       `json:"phone_number"`
	Verification Verification `json:"verification"`
	CreatedAt    int64        `json:"created_at"`
	UpdatedAt    int64        `json:"updated_at"`
}

// Verification is the verification state of an identifier.
type Verification struct {
	Status   string `json:"status"`   // "verified", "unverified", ...
	Strategy string `json:"strategy"` // "admin", "email_code", ...
}

// UserList is a page of users and the number that match in all.
type UserList struct {
	Data       []User `json:"data"`
	TotalCount int    `json:"total_count"`
}

// UserListParams filter and page Users.List. Filters of one kind match any
// of their values; different kinds must all match. Zero values are left
// out (the server's defaults: 10 per page, newest first).
type UserListParams struct {
	EmailAddresses []string
	PhoneNumbers   []string
	Usernames      []string
	UserIDs        []string
	ExternalIDs    []string
	// Query searches ids, identifiers and names.
	Query string
	// OrderBy is e.g. "-created_at" or "+created_at".
	OrderBy string
	Limit   int
	Offset  int
}

func (p UserListParams) values() url.Values {
	q := url.Values{}
	add := func(k string, vs []string) {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	add("email_address", p.EmailAddresses)
	add("phone_number", p.PhoneNumbers)
	add("username", p.Usernames)
	add("user_id", p.UserIDs)
	add("external_id", p.ExternalIDs)
	if p.Query != "" {
		q.Set("query", p.Query)
	}
	if p.OrderBy != "" {
		q.Set("order_by", p.OrderBy)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	return q
}

// CreateUserParams is the body of Users.Create. Identifiers created by an
// operator count as verified.
type CreateUserParams struct {
	ExternalID     string   `json:"external_id,omitempty"`
	EmailAddresses []string `json:"email_address,omitempty"`
	PhoneNumbers   []string `json:"phone_number,omitempty"`
	Username       string   `json:"username,omitempty"`
	Password       string   `json:"password,omitempty"`
	// PasswordDigest and PasswordHasher import an existing hash instead of
	// a Password.
	PasswordDigest  string         `json:"password_digest,omitempty"`
	PasswordHasher  string         `json:"password_hasher,omitempty"`
	FirstName       string         `json:"first_name,omitempty"`
	LastName        string         `json:"last_name,omitempty"`
	PublicMetadata  map[string]any `json:"public_metadata,omitempty"`
	PrivateMetadata map[string]any `json:"private_metadata,omitempty"`
	UnsafeMetadata  map[string]any `json:"unsafe_metadata,omitempty"`
	// SkipPasswordChecks skips the length rules, for imports.
	SkipPasswordChecks bool `json:"skip_password_checks,omitempty"`
	// SkipPasswordRequirement allows no password where one is required.
	SkipPasswordRequirement bool `json:"skip_password_requirement,omitempty"`
}

// DeletedObject answers a deletion.
type DeletedObject struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

// UsersService is the /users part of the Backend API.
type UsersService struct{ c *Client }

// List returns a page of users (GET /users).
func (s *UsersService) List(ctx context.Context, p UserListParams) (*UserList, error) {
	var out UserList
	if err := s.c.do(ctx, http.MethodGet, "/users", p.values(), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Get returns one user (GET /users/{id}); IsNotFound(err) if there is none.
func (s *UsersService) Get(ctx context.Context, id string) (*User, error) {
	p, err := pathID("user", id)
	if err != nil {
		return nil, err
	}
	var out User
	if err := s.c.do(ctx, http.MethodGet, "/users/"+p, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Create creates a user (POST /users).
func (s *UsersService) Create(ctx context.Context, p CreateUserParams) (*User, error) {
	var out User
	if err := s.c.do(ctx, http.MethodPost, "/users", nil, p, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes a user (DELETE /users/{id}).
func (s *UsersService) Delete(ctx context.Context, id string) (*DeletedObject, error) {
	p, err := pathID("user", id)
	if err != nil {
		return nil, err
	}
	var out DeletedObject
	if err := s.c.do(ctx, http.MethodDelete, "/users/"+p, nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
