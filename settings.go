package latchkey

import "time"

// Settings is everything an operator tunes about one instance. It is stored as
// JSON in the database, edited through the Backend API or seeded from a file,
// and read through an immutable snapshot: never mutate a *Settings you did not
// create. JSON names are the public names of the settings.
type Settings struct {
	EmailAddress IdentifierSettings `json:"email_address"`
	PhoneNumber  IdentifierSettings `json:"phone_number"`
	Username     UsernameSettings   `json:"username"`
	Name         NameSettings       `json:"name"`
	Password     PasswordSettings   `json:"password"`
	Session      SessionSettings    `json:"session"`
	SignIn       SignInSettings     `json:"sign_in"`
	SignUp       SignUpSettings     `json:"sign_up"`
	User         UserSettings       `json:"user"`
	// AllowedOrigins are the browser origins allowed to call the Frontend API.
	AllowedOrigins []string `json:"allowed_origins"`
	// RedirectURLs are the exact URLs (or URL prefixes ending in "/") the
	// hosted flows may redirect to.
	RedirectURLs []string         `json:"redirect_urls"`
	Branding     BrandingSettings `json:"branding"`
	Mail         MailSettings     `json:"mail"`
	Events       EventSettings    `json:"events"`
	Webhooks     WebhookSettings  `json:"webhooks"`
}

// WebhookSettings controls webhook delivery.
type WebhookSettings struct {
	// AlertEmails are the operators told by email when an endpoint is
	// disabled after failing for 5 days (it is always in the audit log).
	AlertEmails []string `json:"alert_emails"`
}

// EventSettings controls the event outbox behind webhooks and the event feed.
type EventSettings struct {
	// RetentionDays is how long events are kept, for the feed and for
	// replaying webhooks; older ones are swept.
	RetentionDays int `json:"retention_days"`
}

// IdentifierSettings controls one kind of identifier.
type IdentifierSettings struct {
	Enabled       bool `json:"enabled"`
	Required      bool `json:"required"`
	UsedForSignIn bool `json:"used_for_sign_in"`
}

// NameSettings controls first and last names at sign-up.
type NameSettings struct {
	Enabled  bool `json:"enabled"`
	Required bool `json:"required"`
}

// SignInSettings controls sign-in.
type SignInSettings struct {
	// EmailCode and EmailLink enable those first factors (and the matching
	// sign-up verifications and password resets).
	EmailCode bool `json:"email_code"`
	EmailLink bool `json:"email_link"`
	// EnumerationProtection answers an unknown identifier exactly like a
	// known one, so sign-in does not reveal who has an account.
	EnumerationProtection bool `json:"enumeration_protection"`
	// LockoutThreshold failed first-factor attempts lock a user for
	// LockoutSeconds (0: no lockout).
	LockoutThreshold int   `json:"lockout_threshold"`
	LockoutSeconds   int64 `json:"lockout_seconds"`
	// MagicLinkSameClient requires a magic link to be opened in the browser
	// that asked for it.
	MagicLinkSameClient bool `json:"magic_link_same_client"`
	// NotifyNewDevice mails the user when they sign in from a new device.
	NotifyNewDevice bool `json:"notify_new_device"`
}

// Sign-up modes.
const (
	SignUpPublic     = "public"
	SignUpRestricted = "restricted" // only by invitation or the Backend API
	SignUpWaitlist   = "waitlist"   // closed; people may join a waitlist
)

// SignUpSettings controls who may sign up.
type SignUpSettings struct {
	Mode                  string   `json:"mode"`
	LegalConsentRequired  bool     `json:"legal_consent_required"`
	AllowedEmailDomains   []string `json:"allowed_email_domains"` // empty: any
	BlockedEmailDomains   []string `json:"blocked_email_domains"`
	BlockedEmailAddresses []string `json:"blocked_email_addresses"`
	BlockDisposableEmails bool     `json:"block_disposable_emails"`
}

// UserSettings controls what people may do with their own account.
type UserSettings struct {
	DeleteSelfEnabled bool `json:"delete_self_enabled"`
}

// UsernameSettings controls usernames.
type UsernameSettings struct {
	IdentifierSettings
	MinLength int `json:"min_length"`
	MaxLength int `json:"max_length"`
}

// PasswordSettings controls passwords and how they are hashed.
type PasswordSettings struct {
	Enabled   bool `json:"enabled"`
	Required  bool `json:"required"`
	MinLength int  `json:"min_length"`
	MaxLength int  `json:"max_length"`
	// Policy is "default" (8 characters minimum) or "nist" (NIST SP 800-63B
	// rev 4 for passwords used as the only factor: 15 characters minimum).
	// Both refuse common and breached passwords and the person's own
	// details (email, names); neither has composition rules.
	Policy string `json:"policy"`
	// HIBPURL, when set, also checks new passwords against the Have I Been
	// Pwned range API at that base URL (k-anonymity: only 5 hex characters of
	// the SHA-1 leave the server). Failures are ignored (fail open).
	HIBPURL string `json:"hibp_url"`
	// Argon2id cost. Stored hashes with other parameters are upgraded on the
	// next successful sign-in.
	Argon2MemoryKiB   uint32 `json:"argon2_memory_kib"`
	Argon2Iterations  uint32 `json:"argon2_iterations"`
	Argon2Parallelism uint8  `json:"argon2_parallelism"`
}

// SessionSettings controls session lifetimes.
type SessionSettings struct {
	LifetimeSeconds          int64 `json:"lifetime_seconds"`
	InactivityTimeoutSeconds int64 `json:"inactivity_timeout_seconds"` // 0: off
	TokenLifetimeSeconds     int64 `json:"token_lifetime_seconds"`
	// MultiSession lets several accounts be signed in on one device.
	MultiSession bool `json:"multi_session"`
	// Claims is the custom claims template added to every session token.
	// String values "{{user.id}}", "{{user.first_name}}", "{{user.last_name}}",
	// "{{user.username}}", "{{user.primary_email_address}}",
	// "{{user.public_metadata}}" or "{{user.public_metadata.KEY}}" are
	// replaced by the user's values; other values are copied as they are.
	Claims map[string]any `json:"claims"`
}

// BrandingSettings is shown on hosted pages and in mail.
type BrandingSettings struct {
	ApplicationName string `json:"application_name"`
	LogoURL         string `json:"logo_url"`
	PrimaryColor    string `json:"primary_color"`
	SupportEmail    string `json:"support_email"`
}

// MailSettings names the sender of the instance's mail.
type MailSettings struct {
	FromAddress string `json:"from_address"`
	FromName    string `json:"from_name"`
	ReplyTo     string `json:"reply_to"`
	// Delivery is who delivers the mail: MailDeliveryLatchkey (SMTP, or the
	// dev inbox) or MailDeliveryApp, where Latchkey only writes each mail as
	// an email.created event and the app sends it.
	Delivery string `json:"delivery"`
}

// Mail delivery modes.
const (
	MailDeliveryLatchkey = "latchkey"
	MailDeliveryApp      = "app"
)

// Password length bounds from NIST SP 800-63B rev 4 (at least 8, accept at
// least 64) and ASVS 5.0 V6.2; 1024 caps the work an attacker can send.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 1024
)

// Argon2id floor from OWASP ASVS 5.0 V11.4 / the OWASP password storage cheat
// sheet: m = 46 MiB, t = 1, p = 1.
const (
	MinArgon2MemoryKiB  = 46 * 1024
	MinArgon2Iterations = 1
)

// DefaultSettings returns the settings of a new instance.
func DefaultSettings() *Settings {
	return &Settings{
		EmailAddress: IdentifierSettings{Enabled: true, Required: true, UsedForSignIn: true},
		PhoneNumber:  IdentifierSettings{Enabled: false},
		Username:     UsernameSettings{MinLength: 4, MaxLength: 64},
		Name:         NameSettings{Enabled: true},
		Password: PasswordSettings{
			Enabled: true, Required: true, Policy: "default",
			MinLength: MinPasswordLength, MaxLength: MaxPasswordLength,
			Argon2MemoryKiB: MinArgon2MemoryKiB, Argon2Iterations: 1, Argon2Parallelism: 1,
		},
		Session: SessionSettings{
			LifetimeSeconds:      int64(7 * 24 * time.Hour / time.Second),
			TokenLifetimeSeconds: 60,
			Claims:               map[string]any{},
		},
		SignIn: SignInSettings{
			EmailCode: true, EmailLink: true, EnumerationProtection: true,
			LockoutThreshold: 10, LockoutSeconds: 3600, NotifyNewDevice: true,
		},
		SignUp: SignUpSettings{
			Mode: SignUpPublic, AllowedEmailDomains: []string{}, BlockedEmailDomains: []string{},
			BlockedEmailAddresses: []string{},
		},
		User:           UserSettings{DeleteSelfEnabled: true},
		AllowedOrigins: []string{},
		RedirectURLs:   []string{},
		Branding:       BrandingSettings{ApplicationName: "My application"},
		Mail:           MailSettings{Delivery: MailDeliveryLatchkey},
		Events:         EventSettings{RetentionDays: 30},
		Webhooks:       WebhookSettings{AlertEmails: []string{}},
	}
}
