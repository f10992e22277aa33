package latchkey

import (
	"encoding/json"
	"time"
)

// User is a person who can sign in to the developer's application.
type User struct {
	ID                    string
	ExternalID            string // the developer's own ID for this user, optional
	FirstName             string
	LastName              string
	ImageURL              string
	PrimaryEmailAddressID string
	PrimaryPhoneNumberID  string
	PasswordHash          string // PHC string (argon2id) or an imported bcrypt digest; never sent
	PublicMetadata        json.RawMessage
	PrivateMetadata       json.RawMessage
	UnsafeMetadata        json.RawMessage
	Banned                bool
	Locked                bool
	LockoutExpiresAt      time.Time // zero: locked until unlocked by an admin
	FailedSignIns         int       // failed first-factor attempts since the last success
	CreatedAt             time.Time
	UpdatedAt             time.Time
	LastSignInAt          time.Time
	PasswordUpdatedAt     time.Time
	// Version increases by one on every change, so consumers of events can drop
	// an update older than one they already applied.
	Version int64

	Identifiers []*Identifier // filled by the store on reads, ordered by creation
	// ExternalAccounts are the user's identities at providers, oldest first,
	// when the reader asked for them (nil otherwise).
	ExternalAccounts []*ExternalAccount
}

// EmailAddresses returns the user's email address identifiers.
func (u *User) EmailAddresses() []*Identifier { return u.identifiersOf(IdentifierEmail) }

// PhoneNumbers returns the user's phone number identifiers.
func (u *User) PhoneNumbers() []*Identifier { return u.identifiersOf(IdentifierPhone) }

// Username returns the user's username, or "".
func (u *User) Username() string {
	for _, id := range u.Identifiers {
		if id.Type == IdentifierUsername {
			return id.Value
		}
	}
	return ""
}

// UsernameIdentifier returns the username identifier, or nil.
func (u *User) UsernameIdentifier() *Identifier {
	for _, id := range u.Identifiers {
		if id.Type == IdentifierUsername {
			return id
		}
	}
	return nil
}

func (u *User) identifiersOf(t IdentifierType) []*Identifier {
	var out []*Identifier
	for _, id := range u.Identifiers {
		if id.Type == t {
			out = append(out, id)
		}
	}
	return out
}

// IdentifierType says what kind of identifier a value is.
type IdentifierType string

// Identifier types.
const (
	IdentifierEmail    IdentifierType = "email_address"
	IdentifierPhone    IdentifierType = "phone_number"
	IdentifierUsername IdentifierType = "username"
)

// Identifier is an email address, phone number or username belonging to one
// user, unique across the instance by its normalized form.
type Identifier struct {
	ID           string
	UserID       string
	Type         IdentifierType
	Value        string // as shown to people
	Normalized   string // the unique key: lower-cased email, E.164 phone, lower-cased username
	Verification Verification
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Verification statuses.
const (
	VerificationUnverified = "unverified"
	VerificationVerified   = "verified"
)

// Verification strategies recorded on an identifier.
const (
	StrategyAdmin    = "admin"    // created through the Backend API
	StrategyImported = "imported" // imported already verified
)

// Verification is the verification state of one identifier.
type Verification struct {
	Status     string
	Strategy   string
	VerifiedAt time.Time
}

// Verified reports whether the identifier has been verified.
func (v Verification) Verified() bool { return v.Status == VerificationVerified }

// IdentifierPrefix returns the ID prefix of identifiers of type t.
func IdentifierPrefix(t IdentifierType) string {
	switch t {
	case IdentifierEmail:
		return "idn_email"
	case IdentifierPhone:
		return "idn_phone"
	default:
		return "idn_username"
	}
}
