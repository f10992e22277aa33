package auth

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// SignUpParams are the fields of POST and PATCH /v1/client/sign_ups, named
// as in Clerk's Frontend API. A nil field was not sent: a new sign-up leaves
// it empty, an update leaves it as it was. An empty string clears a field.
type SignUpParams struct {
	EmailAddress   *string          `json:"email_address"`
	PhoneNumber    *string          `json:"phone_number"`
	Username       *string          `json:"username"`
	Password       *string          `json:"password"`
	FirstName      *string          `json:"first_name"`
	LastName       *string          `json:"last_name"`
	UnsafeMetadata *json.RawMessage `json:"unsafe_metadata"`
	LegalAccepted  *bool            `json:"legal_accepted"`
	// RedirectURL is where the email link sends the person once verified.
	// The caller checks it against the instance's allow-list.
	RedirectURL *string `json:"redirect_url"`
	// Strategy oauth_<provider> starts a sign-up with a provider, and
	// Transfer turns a transferable sign-in with a provider into a sign-up;
	// Social handles both (StartSignUp, TransferToSignUp).
	Strategy string `json:"strategy"`
	Transfer bool   `json:"transfer"`
}

// Sign-up field names, as in required_fields, missing_fields and errors.
const (
	fieldEmail    = "email_address"
	fieldPhone    = "phone_number"
	fieldUsername = "username"
	fieldPassword = "password"
	fieldFirst    = "first_name"
	fieldLast     = "last_name"
	fieldLegal    = "legal_accepted"
)

// maxSignUpRedirectURL bounds a stored redirect URL.
const maxSignUpRedirectURL = 2048

// signUpChange is a validated SignUpParams: identifiers normalized, the
// password hashed. Nil fields are left alone.
type signUpChange struct {
	email, emailNorm *string
	phone            *string
	username         *string
	passwordHash     *string
	first, last      *string
	unsafe           json.RawMessage
	legal            *bool
	redirectURL      *string
	anything         bool // any field at all
}

// prepareChange validates p against the settings and the sign-up as it is
// (base), cheapest checks first so a bad request never costs a hash: formats
// and settings, then the password rules (with the person's details as
// context), then whether an identifier is taken, and last the hash, through
// the bounded pool. Clerk reveals a taken identifier at sign-up; so does
// Latchkey, behind the per-IP rate limit the caller applies.
func (s *SignUps) prepareChange(ctx context.Context, set *latchkey.Settings, base *latchkey.SignUp, p SignUpParams) (*signUpChange, error) {
	ch := &signUpChange{}
	type ident struct {
		t     latchkey.IdentifierType
		raw   *string
		rules latchkey.IdentifierSettings
		value *string
		norm  *string
	}
	idents := []*ident{
		{t: latchkey.IdentifierEmail, raw: p.EmailAddress, rules: set.EmailAddress},
		{t: latchkey.IdentifierPhone, raw: p.PhoneNumber, rules: set.PhoneNumber},
		{t: latchkey.IdentifierUsername, raw: p.Username, rules: set.Username.IdentifierSettings},
	}
	for _, id := range idents {
		if id.raw == nil {
			continue
		}
		param := string(id.t)
		value, norm := "", ""
		if strings.TrimSpace(*id.raw) != "" {
			if !id.rules.Enabled {
				what := "a " + humanize(param)
				if id.t == latchkey.IdentifierEmail {
					what = "an email address"
				}
				return nil, latchkey.Errorf(latchkey.CodeIdentifierDisabled, param, "This application does not take %s at sign-up.", what)
			}
			var err error
			if value, norm, err = NormalizeIdentifier(id.t, *id.raw, set); err != nil {
				return nil, err
			}
		}
		id.value, id.norm = &value, &norm
	}
	if e := idents[0]; e.value != nil {
		ch.email, ch.emailNorm = e.value, e.norm
		if *e.norm != "" {
			if err := checkEmailPolicy(set, *e.norm); err != nil {
				return nil, err
			}
		}
	}
	ch.phone, ch.username = idents[1].value, idents[2].value

	for _, f := range []struct {
		param string
		v     *string
	}{{fieldFirst, p.FirstName}, {fieldLast, p.LastName}} {
		if f.v != nil && *f.v != "" && !set.Name.Enabled {
			return nil, latchkey.Errorf(latchkey.CodeFormParamValue, f.param, "Names are not collected by this application.")
		}
	}
	if p.FirstName != nil || p.LastName != nil {
		first, last := strings.TrimSpace(deref(p.FirstName)), strings.TrimSpace(deref(p.LastName))
		if err := checkProfile(first, last, ""); err != nil {
			return nil, err
		}
		if p.FirstName != nil {
			ch.first = &first
		}
		if p.LastName != nil {
			ch.last = &last
		}
	}
	if p.UnsafeMetadata != nil {
		m, err := checkMetadata("unsafe_metadata", *p.UnsafeMetadata)
		if err != nil {
			return nil, err
		}
		ch.unsafe = m
	}
	if p.RedirectURL != nil {
		if len(*p.RedirectURL) > maxSignUpRedirectURL || !plainText(*p.RedirectURL) {
			return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, "redirect_url", "redirect_url is at most %d characters.", maxSignUpRedirectURL)
		}
		ch.redirectURL = p.RedirectURL
	}
	ch.legal = p.LegalAccepted

	// The password: rules first, with every detail known so far as context.
	var pw string
	if p.Password != nil {
		pw = *p.Password
		if pw != "" {
			if !set.Password.Enabled {
				return nil, latchkey.NewError(latchkey.CodePasswordNotAllowed, fieldPassword)
			}
			if err := CheckPassword(pw, set, false); err != nil {
				return nil, err
			}
			after := *base
			ch.applyTo(&after, timeZero)
			words := contextWords(set, after.EmailAddress, after.Username, after.FirstName, after.LastName)
			if err := checkPasswordStrength(ctx, pw, words, set); err != nil {
				return nil, err
			}
		}
	}

	for _, id := range idents {
		if id.norm == nil || *id.norm == "" {
			continue
		}
		if err := s.checkTaken(ctx, id.t, *id.norm); err != nil {
			return nil, err
		}
	}

	if p.Password != nil {
		hash := ""
		if pw != "" {
			var err error
			if hash, err = s.users.hashNew(ctx, pw, false, set); err != nil {
				return nil, err
			}
		}
		ch.passwordHash = &hash
	}
	ch.anything = ch.email != nil || ch.phone != nil || ch.username != nil || ch.passwordHash != nil ||
		ch.first != nil || ch.last != nil || ch.unsafe != nil || ch.legal != nil || ch.redirectURL != nil
	return ch, nil
}

// checkTaken answers form_identifier_exists when a user has the identifier
// (verified, for email addresses and phone numbers: an unverified claim on
// another account does not block the real owner, and is released when they
// complete the sign-up).
func (s *SignUps) checkTaken(ctx context.Context, t latchkey.IdentifierType, normalized string) error {
	_, err := s.store.UserBySignInIdentifier(ctx, t, normalized)
	switch {
	case err == nil:
		return latchkey.Errorf(latchkey.CodeIdentifierExists, string(t), "That %s is taken. Sign in instead, or use another one.", humanize(string(t)))
	case errors.Is(err, latchkey.ErrNotFound):
		return nil
	}
	return err
}

// applyTo writes the change into su. A new email address starts
// unverified; the same address (however capitalized) keeps its verification.
// now stamps legal acceptance.
func (ch *signUpChange) applyTo(su *latchkey.SignUp, now time.Time) {
	if ch.email != nil {
		if *ch.emailNorm != su.EmailNormalized {
			su.EmailVerifiedAt = timeZero
		}
		su.EmailAddress, su.EmailNormalized = *ch.email, *ch.emailNorm
	}
	if ch.phone != nil {
		su.PhoneNumber = *ch.phone
	}
	if ch.username != nil {
		su.Username = *ch.username
	}
	if ch.passwordHash != nil {
		su.PasswordHash = *ch.passwordHash
	}
	if ch.first != nil {
		su.FirstName = *ch.first
	}
	if ch.last != nil {
		su.LastName = *ch.last
	}
	if ch.unsafe != nil {
		su.UnsafeMetadata = ch.unsafe
	}
	if ch.legal != nil {
		switch {
		case !*ch.legal:
			su.LegalAcceptedAt = timeZero
		case su.LegalAcceptedAt.IsZero():
			su.LegalAcceptedAt = now
		}
	}
	if ch.redirectURL != nil {
		su.RedirectURL = *ch.redirectURL
	}
}

// checkEmailPolicy applies the instance's sign-up lists to a normalized
// email address: the allowed domains (when any are listed), the blocked
// domains and addresses, and, when the option is on, disposable email
// services. A listed domain also covers its subdomains.
func checkEmailPolicy(set *latchkey.Settings, normalized string) error {
	domain := normalized[strings.LastIndexByte(normalized, '@')+1:]
	notAllowed := func(msg string) error {
		return latchkey.Errorf(latchkey.CodeEmailNotAllowed, fieldEmail, "%s", msg)
	}
	su := set.SignUp
	if len(su.AllowedEmailDomains) > 0 && !domainListed(domain, su.AllowedEmailDomains) {
		return notAllowed("Only email addresses at the application's allowed domains can sign up.")
	}
	if domainListed(domain, su.BlockedEmailDomains) {
		return notAllowed("Email addresses at this domain cannot be used to sign up.")
	}
	for _, a := range su.BlockedEmailAddresses {
		if _, norm, err := latchkey.NormalizeEmail(a); err == nil && norm == normalized {
			return notAllowed("This email address cannot be used to sign up.")
		}
	}
	if su.BlockDisposableEmails && isDisposableDomain(domain) {
		return notAllowed("Disposable email addresses cannot be used to sign up; use a permanent one.")
	}
	return nil
}

// domainListed reports whether domain is one of list or a subdomain of one.
func domainListed(domain string, list []string) bool {
	for _, d := range list {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" && (domain == d || strings.HasSuffix(domain, "."+d)) {
			return true
		}
	}
	return false
}

// signUpFields returns the fields the settings require and those they
// offer.
func signUpFields(set *latchkey.Settings) (required, optional []string) {
	add := func(name string, enabled, req bool) {
		switch {
		case enabled && req:
			required = append(required, name)
		case enabled:
			optional = append(optional, name)
		}
	}
	add(fieldEmail, set.EmailAddress.Enabled, set.EmailAddress.Required)
	add(fieldPhone, set.PhoneNumber.Enabled, set.PhoneNumber.Required)
	add(fieldUsername, set.Username.Enabled, set.Username.Required)
	add(fieldPassword, set.Password.Enabled, set.Password.Required)
	add(fieldFirst, set.Name.Enabled, set.Name.Required)
	add(fieldLast, set.Name.Enabled, set.Name.Required)
	if set.SignUp.LegalConsentRequired {
		required = append(required, fieldLegal)
	}
	return nonNilStrings(required), nonNilStrings(optional)
}

// missingFields returns the required fields su lacks. A person must also
// leave with some way to sign in: when no identifier is required and none
// was given, the first enabled one is missing.
func missingFields(set *latchkey.Settings, su *latchkey.SignUp) []string {
	has := map[string]bool{
		fieldEmail: su.EmailAddress != "", fieldPhone: su.PhoneNumber != "", fieldUsername: su.Username != "",
		// A provider signs in a user created with its identity: no password needed.
		fieldPassword: su.PasswordHash != "" || su.ExternalProviderID != "",
		fieldFirst:    su.FirstName != "", fieldLast: su.LastName != "",
		fieldLegal: !su.LegalAcceptedAt.IsZero(),
	}
	required, _ := signUpFields(set)
	var missing []string
	for _, f := range required {
		if !has[f] {
			missing = append(missing, f)
		}
	}
	if !has[fieldEmail] && !has[fieldPhone] && !has[fieldUsername] {
		for _, f := range []struct {
			name    string
			enabled bool
		}{{fieldEmail, set.EmailAddress.Enabled}, {fieldUsername, set.Username.Enabled}, {fieldPhone, set.PhoneNumber.Enabled}} {
			if f.enabled {
				if !slices.Contains(missing, f.name) {
					missing = append(missing, f.name)
				}
				break
			}
		}
	}
	return nonNilStrings(missing)
}

// unverifiedFields returns the identifiers given but not yet verified. Only
// email addresses are verified at sign-up (phone numbers wait for SMS).
func unverifiedFields(su *latchkey.SignUp) []string {
	if su.EmailAddress != "" && su.EmailVerifiedAt.IsZero() {
		return []string{fieldEmail}
	}
	return []string{}
}

// readyToComplete reports whether nothing is missing or unverified.
func readyToComplete(set *latchkey.Settings, su *latchkey.SignUp) bool {
	return len(missingFields(set, su)) == 0 && len(unverifiedFields(su)) == 0
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
