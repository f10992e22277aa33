package web

import (
	"encoding/json"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// userJSON is a user as the Backend API returns it, shaped like a Clerk user
// so people migrating recognise it. Times are Unix milliseconds.
type userJSON struct {
	Object                  string                `json:"object"`
	ID                      string                `json:"id"`
	ExternalID              *string               `json:"external_id"`
	Username                *string               `json:"username"`
	FirstName               *string               `json:"first_name"`
	LastName                *string               `json:"last_name"`
	ImageURL                string                `json:"image_url"`
	HasImage                bool                  `json:"has_image"`
	PrimaryEmailAddressID   *string               `json:"primary_email_address_id"`
	PrimaryPhoneNumberID    *string               `json:"primary_phone_number_id"`
	PasswordEnabled         bool                  `json:"password_enabled"`
	TwoFactorEnabled        bool                  `json:"two_factor_enabled"`
	EmailAddresses          []identifierJSON      `json:"email_addresses"`
	PhoneNumbers            []identifierJSON      `json:"phone_numbers"`
	ExternalAccounts        []externalAccountJSON `json:"external_accounts"`
	PublicMetadata          json.RawMessage       `json:"public_metadata"`
	PrivateMetadata         json.RawMessage       `json:"private_metadata"`
	UnsafeMetadata          json.RawMessage       `json:"unsafe_metadata"`
	Banned                  bool                  `json:"banned"`
	Locked                  bool                  `json:"locked"`
	LockoutExpiresInSeconds *int64                `json:"lockout_expires_in_seconds"`
	LastSignInAt            *int64                `json:"last_sign_in_at"`
	PasswordLastUpdatedAt   *int64                `json:"password_last_updated_at"`
	CreatedAt               int64                 `json:"created_at"`
	UpdatedAt               int64                 `json:"updated_at"`
}

type identifierJSON struct {
	Object       string           `json:"object"`
	ID           string           `json:"id"`
	EmailAddress string           `json:"email_address,omitempty"`
	PhoneNumber  string           `json:"phone_number,omitempty"`
	Verification verificationJSON `json:"verification"`
	LinkedTo     []any            `json:"linked_to"`
	CreatedAt    int64            `json:"created_at"`
	UpdatedAt    int64            `json:"updated_at"`
}

type verificationJSON struct {
	Status     string `json:"status"`
	Strategy   string `json:"strategy"`
	Attempts   *int   `json:"attempts"`
	ExpireAt   *int64 `json:"expire_at"`
	VerifiedAt *int64 `json:"verified_at"`
}

func newUserJSON(u *latchkey.User, now time.Time) userJSON {
	out := userJSON{
		Object: "user", ID: u.ID,
		ExternalID: optString(u.ExternalID), Username: optString(u.Username()),
		FirstName: optString(u.FirstName), LastName: optString(u.LastName),
		ImageURL: u.ImageURL, HasImage: u.ImageURL != "",
		PrimaryEmailAddressID: optString(u.PrimaryEmailAddressID),
		PrimaryPhoneNumberID:  optString(u.PrimaryPhoneNumberID),
		PasswordEnabled:       u.PasswordHash != "",
		EmailAddresses:        identifiersJSON(u.EmailAddresses()),
		PhoneNumbers:          identifiersJSON(u.PhoneNumbers()),
		ExternalAccounts:      externalAccountsJSON(u.ExternalAccounts),
		PublicMetadata:        orEmptyObject(u.PublicMetadata),
		PrivateMetadata:       orEmptyObject(u.PrivateMetadata),
		UnsafeMetadata:        orEmptyObject(u.UnsafeMetadata),
		Banned:                u.Banned, Locked: u.Locked,
		LastSignInAt:          optMillis(u.LastSignInAt),
		PasswordLastUpdatedAt: optMillis(u.PasswordUpdatedAt),
		CreatedAt:             latchkey.Millis(u.CreatedAt),
		UpdatedAt:             latchkey.Millis(u.UpdatedAt),
	}
	if u.Locked && !u.LockoutExpiresAt.IsZero() {
		secs := max(int64(u.LockoutExpiresAt.Sub(now)/time.Second), 0)
		out.LockoutExpiresInSeconds = &secs
	}
	return out
}

func identifiersJSON(ids []*latchkey.Identifier) []identifierJSON {
	out := make([]identifierJSON, 0, len(ids))
	for _, id := range ids {
		j := identifierJSON{
			Object: string(id.Type), ID: id.ID,
			Verification: verificationJSON{
				Status: id.Verification.Status, Strategy: id.Verification.Strategy,
				VerifiedAt: optMillis(id.Verification.VerifiedAt),
			},
			LinkedTo:  []any{},
			CreatedAt: latchkey.Millis(id.CreatedAt), UpdatedAt: latchkey.Millis(id.UpdatedAt),
		}
		if id.Type == latchkey.IdentifierEmail {
			j.EmailAddress = id.Value
		} else {
			j.PhoneNumber = id.Value
		}
		out = append(out, j)
	}
	return out
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := latchkey.Millis(t)
	return &v
}

func orEmptyObject(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("{}")
	}
	return m
}

// listJSON is the envelope of every list response.
type listJSON[T any] struct {
	Data       []T `json:"data"`
	TotalCount int `json:"total_count"`
}

// deletedJSON answers a successful DELETE.
type deletedJSON struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}
