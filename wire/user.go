// Package wire shapes Latchkey's objects as the Backend API returns them, so
// the API and the events that carry the same objects (webhooks and the event
// feed) share one definition. Times are Unix milliseconds.
package wire

import (
	"encoding/json"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// StrategyOAuthPrefix prefixes the strategy of every social provider:
// "oauth_<provider id>".
const StrategyOAuthPrefix = "oauth_"

// ExternalVerified is the verification status of a linked external account.
const ExternalVerified = "verified"

// User is a user as the Backend API returns it, shaped like a Clerk user
// so people migrating recognise it. Times are Unix milliseconds.
type User struct {
	Object                  string            `json:"object"`
	ID                      string            `json:"id"`
	ExternalID              *string           `json:"external_id"`
	Username                *string           `json:"username"`
	FirstName               *string           `json:"first_name"`
	LastName                *string           `json:"last_name"`
	ImageURL                string            `json:"image_url"`
	HasImage                bool              `json:"has_image"`
	PrimaryEmailAddressID   *string           `json:"primary_email_address_id"`
	PrimaryPhoneNumberID    *string           `json:"primary_phone_number_id"`
	PasswordEnabled         bool              `json:"password_enabled"`
	TwoFactorEnabled        bool              `json:"two_factor_enabled"`
	EmailAddresses          []Identifier      `json:"email_addresses"`
	PhoneNumbers            []Identifier      `json:"phone_numbers"`
	ExternalAccounts        []ExternalAccount `json:"external_accounts"`
	PublicMetadata          json.RawMessage   `json:"public_metadata"`
	PrivateMetadata         json.RawMessage   `json:"private_metadata"`
	UnsafeMetadata          json.RawMessage   `json:"unsafe_metadata"`
	Banned                  bool              `json:"banned"`
	Locked                  bool              `json:"locked"`
	LockoutExpiresInSeconds *int64            `json:"lockout_expires_in_seconds"`
	LastSignInAt            *int64            `json:"last_sign_in_at"`
	PasswordLastUpdatedAt   *int64            `json:"password_last_updated_at"`
	CreatedAt               int64             `json:"created_at"`
	UpdatedAt               int64             `json:"updated_at"`
}

type Identifier struct {
	Object       string       `json:"object"`
	ID           string       `json:"id"`
	EmailAddress string       `json:"email_address,omitempty"`
	PhoneNumber  string       `json:"phone_number,omitempty"`
	Verification Verification `json:"verification"`
	LinkedTo     []any        `json:"linked_to"`
	CreatedAt    int64        `json:"created_at"`
	UpdatedAt    int64        `json:"updated_at"`
}

type Verification struct {
	Status     string `json:"status"`
	Strategy   string `json:"strategy"`
	Attempts   *int   `json:"attempts"`
	ExpireAt   *int64 `json:"expire_at"`
	VerifiedAt *int64 `json:"verified_at"`
}

func NewUser(u *latchkey.User, now time.Time) User {
	out := User{
		Object: "user", ID: u.ID,
		ExternalID: OptString(u.ExternalID), Username: OptString(u.Username()),
		FirstName: OptString(u.FirstName), LastName: OptString(u.LastName),
		ImageURL: u.ImageURL, HasImage: u.ImageURL != "",
		PrimaryEmailAddressID: OptString(u.PrimaryEmailAddressID),
		PrimaryPhoneNumberID:  OptString(u.PrimaryPhoneNumberID),
		PasswordEnabled:       u.PasswordHash != "",
		EmailAddresses:        Identifiers(u.EmailAddresses()),
		PhoneNumbers:          Identifiers(u.PhoneNumbers()),
		ExternalAccounts:      ExternalAccounts(u.ExternalAccounts),
		PublicMetadata:        OrEmptyObject(u.PublicMetadata),
		PrivateMetadata:       OrEmptyObject(u.PrivateMetadata),
		UnsafeMetadata:        OrEmptyObject(u.UnsafeMetadata),
		Banned:                u.Banned, Locked: u.Locked,
		LastSignInAt:          OptMillis(u.LastSignInAt),
		PasswordLastUpdatedAt: OptMillis(u.PasswordUpdatedAt),
		CreatedAt:             latchkey.Millis(u.CreatedAt),
		UpdatedAt:             latchkey.Millis(u.UpdatedAt),
	}
	if u.Locked && !u.LockoutExpiresAt.IsZero() {
		secs := max(int64(u.LockoutExpiresAt.Sub(now)/time.Second), 0)
		out.LockoutExpiresInSeconds = &secs
	}
	return out
}

func Identifiers(ids []*latchkey.Identifier) []Identifier {
	out := make([]Identifier, 0, len(ids))
	for _, id := range ids {
		j := Identifier{
			Object: string(id.Type), ID: id.ID,
			Verification: Verification{
				Status: id.Verification.Status, Strategy: id.Verification.Strategy,
				VerifiedAt: OptMillis(id.Verification.VerifiedAt),
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

func OptString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func OptMillis(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := latchkey.Millis(t)
	return &v
}

func OrEmptyObject(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("{}")
	}
	return m
}

// ExternalAccount is a user's identity at a provider, as both APIs
// show it (never its tokens).
type ExternalAccount struct {
	Object         string               `json:"object"`
	ID             string               `json:"id"`
	Provider       string               `json:"provider"`
	ProviderUserID string               `json:"provider_user_id"`
	EmailAddress   string               `json:"email_address"`
	FirstName      string               `json:"first_name"`
	LastName       string               `json:"last_name"`
	Username       string               `json:"username"`
	AvatarURL      string               `json:"avatar_url"`
	Verification   ExternalVerification `json:"verification"`
	CreatedAt      int64                `json:"created_at"`
	UpdatedAt      int64                `json:"updated_at"`
}

// ExternalVerification is the provider step of a sign-in, a sign-up or
// an external account.
type ExternalVerification struct {
	Status                          string  `json:"status"`
	Strategy                        string  `json:"strategy"`
	ExternalVerificationRedirectURL *string `json:"external_verification_redirect_url"`
}

func ExternalAccounts(accts []*latchkey.ExternalAccount) []ExternalAccount {
	out := make([]ExternalAccount, 0, len(accts))
	for _, a := range accts {
		out = append(out, ExternalAccount{
			Object: "external_account", ID: a.ID, Provider: a.ProviderID, ProviderUserID: a.ProviderUserID,
			EmailAddress: a.EmailAddress, FirstName: a.FirstName, LastName: a.LastName, Username: a.Username,
			AvatarURL:    a.AvatarURL,
			Verification: ExternalVerification{Status: ExternalVerified, Strategy: StrategyOAuthPrefix + a.ProviderID},
			CreatedAt:    latchkey.Millis(a.CreatedAt), UpdatedAt: latchkey.Millis(a.UpdatedAt),
		})
	}
	return out
}

// Deleted is what the Backend API answers a successful DELETE with, and the
// data of a *.deleted event.
type Deleted struct {
	Object  string `json:"object"`
	ID      string `json:"id"`
	Deleted bool   `json:"deleted"`
}
