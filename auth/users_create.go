package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/password"
)

// CreateUserParams are the fields of a new user, named as in Clerk's Backend
// API so people migrating recognise them.
type CreateUserParams struct {
	ExternalID     string          `json:"external_id"`
	EmailAddresses []string        `json:"email_address"`
	PhoneNumbers   []string        `json:"phone_number"`
	Username       string          `json:"username"`
	Password       string          `json:"password"`
	PasswordDigest string          `json:"password_digest"`
	PasswordHasher string          `json:"password_hasher"`
	FirstName      string          `json:"first_name"`
	LastName       string          `json:"last_name"`
	PublicMetadata json.RawMessage `json:"public_metadata"`
	PrivateMeta    json.RawMessage `json:"private_metadata"`
	UnsafeMetadata json.RawMessage `json:"unsafe_metadata"`
	// SkipPasswordChecks skips the length rules for a plain password, for
	// importing users whose passwords predate the rules. The 1024-character
	// cap still applies.
	SkipPasswordChecks bool `json:"skip_password_checks"`
	// SkipPasswordRequirement allows a user without a password on an
	// instance that requires one (they will sign in another way).
	SkipPasswordRequirement bool `json:"skip_password_requirement"`
}

// Limits on user fields.
const (
	maxNameLength     = 256
	maxExternalID     = 255
	maxMetadataBytes  = 8 * 1024
	maxIdentifiersPer = 20
)

// CreateUser validates p against the instance settings, hashes the password
// (through the bounded pool, before any database lock is taken) and stores
// the user. Identifiers created by an operator count as verified.
func (s *Users) CreateUser(ctx context.Context, p CreateUserParams) (*latchkey.User, error) {
	set := s.settings()
	u := &latchkey.User{ExternalID: p.ExternalID, FirstName: p.FirstName, LastName: p.LastName}
	if err := checkProfile(p.FirstName, p.LastName, p.ExternalID); err != nil {
		return nil, err
	}
	var err error
	if u.PublicMetadata, err = checkMetadata("public_metadata", p.PublicMetadata); err != nil {
		return nil, err
	}
	if u.PrivateMetadata, err = checkMetadata("private_metadata", p.PrivateMeta); err != nil {
		return nil, err
	}
	if u.UnsafeMetadata, err = checkMetadata("unsafe_metadata", p.UnsafeMetadata); err != nil {
		return nil, err
	}
	emails, err := newIdentifiers(latchkey.IdentifierEmail, p.EmailAddresses, set.EmailAddress, set)
	if err != nil {
		return nil, err
	}
	phones, err := newIdentifiers(latchkey.IdentifierPhone, p.PhoneNumbers, set.PhoneNumber, set)
	if err != nil {
		return nil, err
	}
	var usernames []string
	if p.Username != "" {
		usernames = []string{p.Username}
	}
	names, err := newIdentifiers(latchkey.IdentifierUsername, usernames, set.Username.IdentifierSettings, set)
	if err != nil {
		return nil, err
	}
	u.Identifiers = append(append(emails, phones...), names...)
	if len(emails) > 0 {
		u.PrimaryEmailAddressID = emails[0].ID
	}
	if len(phones) > 0 {
		u.PrimaryPhoneNumberID = phones[0].ID
	}
	if len(u.Identifiers) == 0 {
		return nil, latchkey.Errorf(latchkey.CodeIdentifierRequired, "email_address",
			"A user needs at least one identifier: an email address, a phone number or a username.")
	}
	if u.PasswordHash, err = s.passwordFor(ctx, p, set); err != nil {
		return nil, err
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// passwordFor returns the hash to store for p's password or digest.
func (s *Users) passwordFor(ctx context.Context, p CreateUserParams, set *latchkey.Settings) (string, error) {
	switch {
	case p.Password != "" && p.PasswordDigest != "":
		return "", latchkey.Errorf(latchkey.CodeFormParamValue, "password_digest", "Send either password or password_digest, not both.")
	case p.PasswordDigest != "":
		if !set.Password.Enabled {
			return "", latchkey.NewError(latchkey.CodePasswordNotAllowed, "password_digest")
		}
		if p.PasswordHasher == "" {
			return "", latchkey.Errorf(latchkey.CodeFormParamMissing, "password_hasher", "password_hasher is required with password_digest: one of %v.", password.Hashers)
		}
		if err := password.ValidateDigest(p.PasswordHasher, p.PasswordDigest); err != nil {
			if errors.Is(err, password.ErrMalformed) {
				return "", latchkey.Errorf(latchkey.CodePasswordDigest, "password_digest", "password_digest is not a valid %s digest.", p.PasswordHasher)
			}
			return "", latchkey.Errorf(latchkey.CodePasswordHasher, "password_hasher", "password_hasher must be one of %v.", password.Hashers)
		}
		return p.PasswordDigest, nil
	case p.PasswordHasher != "":
		return "", latchkey.Errorf(latchkey.CodeFormParamValue, "password_hasher", "password_hasher is only accepted with password_digest.")
	case p.Password != "":
		if !p.SkipPasswordChecks {
			email := ""
			if len(p.EmailAddresses) > 0 {
				email = p.EmailAddresses[0]
			}
			if err := checkPasswordStrength(ctx, p.Password, contextWords(set, email, p.Username, p.FirstName, p.LastName), set); err != nil {
				return "", err
			}
		}
		return s.hashNew(ctx, p.Password, p.SkipPasswordChecks, set)
	case set.Password.Required && !p.SkipPasswordRequirement:
		return "", latchkey.Errorf(latchkey.CodeFormParamMissing, "password",
			"This instance requires a password. Send password, password_digest, or skip_password_requirement: true.")
	}
	return "", nil
}

// hashNew checks a new plain password against the rules and hashes it.
func (s *Users) hashNew(ctx context.Context, pw string, skipChecks bool, set *latchkey.Settings) (string, error) {
	if !set.Password.Enabled {
		return "", latchkey.NewError(latchkey.CodePasswordNotAllowed, "password")
	}
	if err := CheckPassword(pw, set, skipChecks); err != nil {
		return "", err
	}
	h, err := s.hasher.Hash(ctx, pw, hashParams(set))
	if errors.Is(err, password.ErrBusy) {
		return "", &latchkey.Error{Code: latchkey.CodeServerBusy, Message: latchkey.Messages[latchkey.CodeServerBusy], Cause: err}
	}
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword applies the instance's password rules. Length counts Unicode
// characters, as NIST SP 800-63B rev 4 asks; there are no composition rules.
// skipChecks (imports only) keeps just the upper bound, which protects the
// hasher from huge inputs.
func CheckPassword(pw string, set *latchkey.Settings, skipChecks bool) error {
	if !utf8.ValidString(pw) {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "password", "The password must be valid UTF-8 text.")
	}
	n := utf8.RuneCountInString(pw)
	if n == 0 {
		return latchkey.Errorf(latchkey.CodePasswordTooShort, "password", "The password cannot be empty.")
	}
	if n > set.Password.MaxLength || n > latchkey.MaxPasswordLength {
		return latchkey.Errorf(latchkey.CodePasswordTooLong, "password", "Passwords can be at most %d characters.", set.Password.MaxLength)
	}
	if !skipChecks && n < set.Password.MinLength {
		return latchkey.Errorf(latchkey.CodePasswordTooShort, "password", "Passwords must be at least %d characters.", set.Password.MinLength)
	}
	return nil
}

// newIdentifiers normalizes and checks raw values of one identifier type.
func newIdentifiers(t latchkey.IdentifierType, raw []string, rules latchkey.IdentifierSettings, set *latchkey.Settings) ([]*latchkey.Identifier, error) {
	param := string(t)
	if len(raw) > 0 && !rules.Enabled {
		return nil, latchkey.Errorf(latchkey.CodeIdentifierDisabled, param, "%s is not enabled for this instance; enable it in the instance settings.", param)
	}
	if len(raw) == 0 && rules.Required {
		return nil, latchkey.Errorf(latchkey.CodeIdentifierRequired, param, "This instance requires a %s.", humanize(param))
	}
	if len(raw) > maxIdentifiersPer {
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, param, "A user can have at most %d of %s.", maxIdentifiersPer, param)
	}
	seen := map[string]bool{}
	var out []*latchkey.Identifier
	for _, r := range raw {
		value, norm, err := NormalizeIdentifier(t, r, set)
		if err != nil {
			return nil, err
		}
		if seen[norm] {
			return nil, latchkey.Errorf(latchkey.CodeFormParamValue, param, "%q is listed twice.", value)
		}
		seen[norm] = true
		out = append(out, &latchkey.Identifier{
			ID:   latchkey.NewID(latchkey.IdentifierPrefix(t)),
			Type: t, Value: value, Normalized: norm,
			Verification: latchkey.Verification{Status: latchkey.VerificationVerified, Strategy: latchkey.StrategyAdmin, VerifiedAt: timeNow()},
		})
	}
	return out, nil
}

// NormalizeIdentifier validates and normalizes a value of identifier type t.
func NormalizeIdentifier(t latchkey.IdentifierType, raw string, set *latchkey.Settings) (value, normalized string, err error) {
	switch t {
	case latchkey.IdentifierEmail:
		return latchkey.NormalizeEmail(raw)
	case latchkey.IdentifierPhone:
		return latchkey.NormalizePhone(raw)
	default:
		return latchkey.NormalizeUsername(raw, set.Username.MinLength, set.Username.MaxLength)
	}
}

func humanize(param string) string {
	switch param {
	case "email_address":
		return "email address"
	case "phone_number":
		return "phone number"
	}
	return param
}

// checkProfile checks names and the external ID: valid UTF-8 without control
// characters (PostgreSQL refuses NUL in text, and no name needs a tab).
func checkProfile(first, last, external string) error {
	for _, f := range []struct{ name, v string }{{"first_name", first}, {"last_name", last}} {
		if utf8.RuneCountInString(f.v) > maxNameLength || !plainText(f.v) {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, f.name, "%s is at most %d characters of text without control characters.", f.name, maxNameLength)
		}
	}
	if len(external) > maxExternalID || !plainText(external) {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "external_id", "external_id is at most %d bytes of text without control characters.", maxExternalID)
	}
	return nil
}

func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// checkMetadata requires a JSON object of at most 8 KiB; absent or null
// becomes {}.
func checkMetadata(param string, raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}"), nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil || buf.Len() == 0 || buf.Bytes()[0] != '{' {
		return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "%s must be a JSON object.", param)
	}
	out := json.RawMessage(buf.Bytes())
	if len(out) > maxMetadataBytes {
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, param, "%s is larger than %d bytes.", param, maxMetadataBytes)
	}
	return out, nil
}
