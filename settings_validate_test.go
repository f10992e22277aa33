package latchkey_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

func TestDefaultSettingsValid(t *testing.T) {
	t.Parallel()
	s := latchkey.DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatalf("DefaultSettings().Validate() = %v", err)
	}
	// The defaults meet the security baseline, not just the validator.
	p := s.Password
	if p.MinLength < 8 || p.MaxLength < 64 || p.Argon2MemoryKiB < 46*1024 || p.Argon2Iterations < 1 || p.Argon2Parallelism < 1 {
		t.Errorf("default password settings %+v are below NIST SP 800-63B / OWASP ASVS", p)
	}
	// Each call returns a fresh value that callers may modify.
	s.AllowedOrigins = append(s.AllowedOrigins, "https://x.example")
	s.Password.MinLength = 1
	if d := latchkey.DefaultSettings(); len(d.AllowedOrigins) != 0 || d.Password.MinLength != latchkey.MinPasswordLength {
		t.Error("DefaultSettings shares state between calls")
	}
}

func TestSettingsValidate(t *testing.T) {
	t.Parallel()
	const year = 365 * 86400
	tests := []struct {
		name      string
		edit      func(s *latchkey.Settings)
		wantParam string // "" means valid
	}{
		// Identifier switches.
		{"email required but disabled", func(s *latchkey.Settings) { s.EmailAddress.Enabled = false }, "email_address.enabled"},
		{"phone used for sign-in but disabled", func(s *latchkey.Settings) { s.PhoneNumber.UsedForSignIn = true }, "phone_number.enabled"},
		{"phone required but disabled", func(s *latchkey.Settings) { s.PhoneNumber.Required = true }, "phone_number.enabled"},
		{"username required but disabled", func(s *latchkey.Settings) { s.Username.Required = true }, "username.enabled"},
		{"phone enabled and used for sign-in", func(s *latchkey.Settings) {
			s.PhoneNumber = latchkey.IdentifierSettings{Enabled: true, Required: true, UsedForSignIn: true}
		}, ""},
		{"no identifier for sign-in", func(s *latchkey.Settings) { s.EmailAddress.UsedForSignIn = false }, "email_address.used_for_sign_in"},
		{"username only for sign-in", func(s *latchkey.Settings) {
			s.EmailAddress = latchkey.IdentifierSettings{}
			s.Username.IdentifierSettings = latchkey.IdentifierSettings{Enabled: true, UsedForSignIn: true}
		}, ""},

		// Username lengths.
		{"username min 0", func(s *latchkey.Settings) { s.Username.MinLength = 0 }, "username.min_length"},
		{"username min 1", func(s *latchkey.Settings) { s.Username.MinLength = 1 }, ""},
		{"username max 64", func(s *latchkey.Settings) { s.Username.MaxLength = 64 }, ""},
		{"username max 65", func(s *latchkey.Settings) { s.Username.MaxLength = 65 }, "username.max_length"},
		{"username min above max", func(s *latchkey.Settings) { s.Username.MinLength, s.Username.MaxLength = 10, 9 }, "username.max_length"},
		{"username min equals max", func(s *latchkey.Settings) { s.Username.MinLength, s.Username.MaxLength = 10, 10 }, ""},

		// Passwords.
		{"password required but disabled", func(s *latchkey.Settings) { s.Password.Enabled = false }, "password.enabled"},
		{"password disabled", func(s *latchkey.Settings) { s.Password.Enabled, s.Password.Required = false, false }, ""},
		{"password min 7", func(s *latchkey.Settings) { s.Password.MinLength = 7 }, "password.min_length"},
		{"password min 8", func(s *latchkey.Settings) { s.Password.MinLength = 8 }, ""},
		{"password min 1025", func(s *latchkey.Settings) { s.Password.MinLength = 1025 }, "password.min_length"},
		{"password max 63", func(s *latchkey.Settings) { s.Password.MaxLength = 63 }, "password.max_length"},
		{"password max 64", func(s *latchkey.Settings) { s.Password.MaxLength = 64 }, ""},
		{"password max below min", func(s *latchkey.Settings) { s.Password.MinLength, s.Password.MaxLength = 100, 99 }, "password.max_length"},
		{"password max 1025", func(s *latchkey.Settings) { s.Password.MaxLength = 1025 }, "password.max_length"},
		{"argon2 memory below floor", func(s *latchkey.Settings) { s.Password.Argon2MemoryKiB = latchkey.MinArgon2MemoryKiB - 1 }, "password.argon2_memory_kib"},
		{"argon2 memory 1 GiB", func(s *latchkey.Settings) { s.Password.Argon2MemoryKiB = 1 << 20 }, ""},
		{"argon2 memory above 1 GiB", func(s *latchkey.Settings) { s.Password.Argon2MemoryKiB = 1<<20 + 1 }, "password.argon2_memory_kib"},
		{"argon2 iterations 0", func(s *latchkey.Settings) { s.Password.Argon2Iterations = 0 }, "password.argon2_iterations"},
		{"argon2 iterations 16", func(s *latchkey.Settings) { s.Password.Argon2Iterations = 16 }, ""},
		{"argon2 iterations 17", func(s *latchkey.Settings) { s.Password.Argon2Iterations = 17 }, "password.argon2_iterations"},
		{"argon2 parallelism 0", func(s *latchkey.Settings) { s.Password.Argon2Parallelism = 0 }, "password.argon2_parallelism"},
		{"argon2 parallelism 16", func(s *latchkey.Settings) { s.Password.Argon2Parallelism = 16 }, ""},
		{"argon2 parallelism 17", func(s *latchkey.Settings) { s.Password.Argon2Parallelism = 17 }, "password.argon2_parallelism"},

		// Sessions.
		{"lifetime 299", func(s *latchkey.Settings) { s.Session.LifetimeSeconds = 299 }, "session.lifetime_seconds"},
		{"lifetime 300", func(s *latchkey.Settings) { s.Session.LifetimeSeconds = 300 }, ""},
		{"lifetime 10 years", func(s *latchkey.Settings) { s.Session.LifetimeSeconds = 10 * year }, ""},
		{"lifetime above 10 years", func(s *latchkey.Settings) { s.Session.LifetimeSeconds = 10*year + 1 }, "session.lifetime_seconds"},
		{"inactivity 299", func(s *latchkey.Settings) { s.Session.InactivityTimeoutSeconds = 299 }, "session.inactivity_timeout_seconds"},
		{"inactivity 300", func(s *latchkey.Settings) { s.Session.InactivityTimeoutSeconds = 300 }, ""},
		{"inactivity equals lifetime", func(s *latchkey.Settings) { s.Session.InactivityTimeoutSeconds = s.Session.LifetimeSeconds }, ""},
		{"inactivity above lifetime", func(s *latchkey.Settings) { s.Session.InactivityTimeoutSeconds = s.Session.LifetimeSeconds + 1 }, "session.inactivity_timeout_seconds"},
		{"inactivity negative", func(s *latchkey.Settings) { s.Session.InactivityTimeoutSeconds = -1 }, "session.inactivity_timeout_seconds"},
		{"token lifetime 29", func(s *latchkey.Settings) { s.Session.TokenLifetimeSeconds = 29 }, "session.token_lifetime_seconds"},
		{"token lifetime 30", func(s *latchkey.Settings) { s.Session.TokenLifetimeSeconds = 30 }, ""},
		{"token lifetime 3600", func(s *latchkey.Settings) { s.Session.TokenLifetimeSeconds = 3600 }, ""},
		{"token lifetime 3601", func(s *latchkey.Settings) { s.Session.TokenLifetimeSeconds = 3601 }, "session.token_lifetime_seconds"},

		// Allowed origins.
		{"origins valid", func(s *latchkey.Settings) {
			s.AllowedOrigins = []string{"https://app.example.com", "http://localhost:3000", "https://[::1]:8443"}
		}, ""},
		{"origin with trailing slash", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"https://app.example.com/"} }, "allowed_origins"},
		{"origin with path", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"https://app.example.com/app"} }, "allowed_origins"},
		{"origin with query", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"https://app.example.com?x=1"} }, "allowed_origins"},
		{"origin with fragment", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"https://app.example.com#x"} }, "allowed_origins"},
		{"origin with credentials", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"https://u:p@app.example.com"} }, "allowed_origins"},
		{"origin without scheme", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"app.example.com"} }, "allowed_origins"},
		{"origin with other scheme", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"ftp://app.example.com"} }, "allowed_origins"},
		{"origin empty", func(s *latchkey.Settings) { s.AllowedOrigins = []string{""} }, "allowed_origins"},
		{"second origin bad", func(s *latchkey.Settings) { s.AllowedOrigins = []string{"https://ok.example", "nope"} }, "allowed_origins"},

		// Redirect URLs.
		{"redirects valid", func(s *latchkey.Settings) {
			s.RedirectURLs = []string{"https://app.example.com/callback", "https://app.example.com/app/", "http://localhost:3000/?next=1"}
		}, ""},
		{"redirect relative", func(s *latchkey.Settings) { s.RedirectURLs = []string{"/callback"} }, "redirect_urls"},
		{"redirect javascript", func(s *latchkey.Settings) { s.RedirectURLs = []string{"javascript:alert(1)"} }, "redirect_urls"},
		{"redirect scheme-relative", func(s *latchkey.Settings) { s.RedirectURLs = []string{"//evil.example/cb"} }, "redirect_urls"},
		{"redirect with credentials", func(s *latchkey.Settings) { s.RedirectURLs = []string{"https://u:p@app.example.com/cb"} }, "redirect_urls"},
		{"redirect with fragment", func(s *latchkey.Settings) { s.RedirectURLs = []string{"https://app.example.com/cb#x"} }, "redirect_urls"},

		// Branding.
		{"colour short hex", func(s *latchkey.Settings) { s.Branding.PrimaryColor = "#abc" }, ""},
		{"colour long hex", func(s *latchkey.Settings) { s.Branding.PrimaryColor = "#4F46E5" }, ""},
		{"colour name", func(s *latchkey.Settings) { s.Branding.PrimaryColor = "red" }, "branding.primary_color"},
		{"colour 5 digits", func(s *latchkey.Settings) { s.Branding.PrimaryColor = "#12345" }, "branding.primary_color"},
		{"colour not hex", func(s *latchkey.Settings) { s.Branding.PrimaryColor = "#gggggg" }, "branding.primary_color"},
		{"colour CSS injection", func(s *latchkey.Settings) { s.Branding.PrimaryColor = "#fff;}body{" }, "branding.primary_color"},
		{"logo https", func(s *latchkey.Settings) { s.Branding.LogoURL = "https://cdn.example.com/logo.svg" }, ""},
		{"logo relative", func(s *latchkey.Settings) { s.Branding.LogoURL = "/logo.png" }, "branding.logo_url"},
		{"logo javascript", func(s *latchkey.Settings) { s.Branding.LogoURL = "javascript:alert(1)" }, "branding.logo_url"},
		{"logo data URL", func(s *latchkey.Settings) { s.Branding.LogoURL = "data:image/png;base64,AAAA" }, "branding.logo_url"},
		{"name 100 characters", func(s *latchkey.Settings) { s.Branding.ApplicationName = strings.Repeat("n", 100) }, ""},
		{"name 100 non-ASCII characters", func(s *latchkey.Settings) { s.Branding.ApplicationName = strings.Repeat("é", 100) }, ""},
		{"name 101 characters", func(s *latchkey.Settings) { s.Branding.ApplicationName = strings.Repeat("n", 101) }, "branding.application_name"},
		{"support email valid", func(s *latchkey.Settings) { s.Branding.SupportEmail = "help@example.com" }, ""},
		{"support email invalid", func(s *latchkey.Settings) { s.Branding.SupportEmail = "help" }, "branding.support_email"},

		// Mail.
		{"mail addresses valid", func(s *latchkey.Settings) {
			s.Mail = latchkey.MailSettings{FromAddress: "no-reply@example.com", FromName: "Example", ReplyTo: "help@example.com", Delivery: latchkey.MailDeliveryApp}
		}, ""},
		{"mail delivery unknown", func(s *latchkey.Settings) { s.Mail.Delivery = "smtp" }, "mail.delivery"},
		{"mail delivery empty", func(s *latchkey.Settings) { s.Mail.Delivery = "" }, "mail.delivery"},
		{"webhook alert emails valid", func(s *latchkey.Settings) { s.Webhooks.AlertEmails = []string{"ops@example.com"} }, ""},
		{"webhook alert email invalid", func(s *latchkey.Settings) { s.Webhooks.AlertEmails = []string{"ops"} }, "webhooks.alert_emails"},
		{"from address invalid", func(s *latchkey.Settings) { s.Mail.FromAddress = "Example <no-reply@example.com>" }, "mail.from_address"},
		{"reply-to invalid", func(s *latchkey.Settings) { s.Mail.ReplyTo = "help@localhost" }, "mail.reply_to"},

		// Events.
		{"retention 1 day", func(s *latchkey.Settings) { s.Events.RetentionDays = 1 }, ""},
		{"retention 10 years", func(s *latchkey.Settings) { s.Events.RetentionDays = 3650 }, ""},
		{"retention 0", func(s *latchkey.Settings) { s.Events.RetentionDays = 0 }, "events.retention_days"},
		{"retention too long", func(s *latchkey.Settings) { s.Events.RetentionDays = 3651 }, "events.retention_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := latchkey.DefaultSettings()
			tt.edit(s)
			err := s.Validate()
			if tt.wantParam == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *latchkey.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v (%T), want a *latchkey.Error", err, err)
			}
			if e.Code != latchkey.CodeFormParamValue || e.Param != tt.wantParam {
				t.Errorf("Validate() = code %q param %q, want code %q param %q", e.Code, e.Param, latchkey.CodeFormParamValue, tt.wantParam)
			}
			if e.Message != latchkey.Messages[latchkey.CodeFormParamValue] || e.LongMessage == "" {
				t.Errorf("Validate() messages = %q / %q, want the catalog message and a long message", e.Message, e.LongMessage)
			}
		})
	}
}
