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
	Password     PasswordSettings   `json:"password"`
	Session      SessionSettings    `json:"session"`
	// AllowedOrigins are the browser origins allowed to call the Frontend API.
	AllowedOrigins []string `json:"allowed_origins"`
	// RedirectURLs are the exact URLs (or URL prefixes ending in "/") the
	// hosted flows may redirect to.
	RedirectURLs []string         `json:"redirect_urls"`
	Branding     BrandingSettings `json:"branding"`
	Mail         MailSettings     `json:"mail"`
}

// IdentifierSettings controls one kind of identifier.
type IdentifierSettings struct {
	Enabled       bool `json:"enabled"`
	Required      bool `json:"required"`
	UsedForSignIn bool `json:"used_for_sign_in"`
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
}

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
		Password: PasswordSettings{
			Enabled: true, Required: true,
			MinLength: MinPasswordLength, MaxLength: MaxPasswordLength,
			Argon2MemoryKiB: MinArgon2MemoryKiB, Argon2Iterations: 1, Argon2Parallelism: 1,
		},
		Session: SessionSettings{
			LifetimeSeconds:      int64(7 * 24 * time.Hour / time.Second),
			TokenLifetimeSeconds: 60,
		},
		AllowedOrigins: []string{},
		RedirectURLs:   []string{},
		Branding:       BrandingSettings{ApplicationName: "My application"},
	}
}
