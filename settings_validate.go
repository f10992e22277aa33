package latchkey

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Validate checks the settings and returns a *Error naming the first
// offending setting by its dotted path ("password.min_length").
func (s *Settings) Validate() error {
	bad := func(param, format string, args ...any) error {
		return Errorf(CodeFormParamValue, param, format, args...)
	}
	for _, idn := range []struct {
		name string
		s    IdentifierSettings
	}{{"email_address", s.EmailAddress}, {"phone_number", s.PhoneNumber}, {"username", s.Username.IdentifierSettings}} {
		if (idn.s.Required || idn.s.UsedForSignIn) && !idn.s.Enabled {
			return bad(idn.name+".enabled", "%s must be enabled to be required or used for sign-in.", idn.name)
		}
	}
	if !s.EmailAddress.UsedForSignIn && !s.PhoneNumber.UsedForSignIn && !s.Username.UsedForSignIn {
		return bad("email_address.used_for_sign_in", "At least one identifier (email address, phone number or username) must be usable for sign-in.")
	}
	if s.Username.MinLength < 1 {
		return bad("username.min_length", "Username lengths must satisfy 1 <= min_length <= max_length <= 64.")
	}
	if s.Username.MaxLength > 64 || s.Username.MinLength > s.Username.MaxLength {
		return bad("username.max_length", "Username lengths must satisfy 1 <= min_length <= max_length <= 64.")
	}
	p := s.Password
	if p.Required && !p.Enabled {
		return bad("password.enabled", "Passwords must be enabled to be required.")
	}
	if p.MinLength < MinPasswordLength || p.MinLength > MaxPasswordLength {
		return bad("password.min_length", "password.min_length must be between %d and %d (NIST SP 800-63B).", MinPasswordLength, MaxPasswordLength)
	}
	if p.MaxLength < max(p.MinLength, 64) || p.MaxLength > MaxPasswordLength {
		return bad("password.max_length", "password.max_length must be at least 64 and at least min_length, and at most %d.", MaxPasswordLength)
	}
	if p.Argon2MemoryKiB < MinArgon2MemoryKiB || p.Argon2MemoryKiB > 1<<20 {
		return bad("password.argon2_memory_kib", "password.argon2_memory_kib must be between %d (46 MiB, the OWASP ASVS floor) and %d (1 GiB).", MinArgon2MemoryKiB, 1<<20)
	}
	if p.Argon2Iterations < MinArgon2Iterations || p.Argon2Iterations > 16 {
		return bad("password.argon2_iterations", "password.argon2_iterations must be between 1 and 16.")
	}
	if p.Argon2Parallelism < 1 || p.Argon2Parallelism > 16 {
		return bad("password.argon2_parallelism", "password.argon2_parallelism must be between 1 and 16.")
	}
	switch p.Policy {
	case "default":
	case "nist":
		if p.MinLength < 15 {
			return bad("password.min_length", "The nist policy needs password.min_length of at least 15 (NIST SP 800-63B rev 4, password as the only factor).")
		}
	default:
		return bad("password.policy", "password.policy must be \"default\" or \"nist\".")
	}
	if p.HIBPURL != "" {
		if u, err := url.Parse(p.HIBPURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return bad("password.hibp_url", "password.hibp_url must be an absolute http(s) URL, or empty to turn the online check off.")
		}
	}
	if (s.Name.Required) && !s.Name.Enabled {
		return bad("name.enabled", "name must be enabled to be required.")
	}
	si := s.SignIn
	if si.LockoutThreshold < 0 || si.LockoutThreshold > 1000 {
		return bad("sign_in.lockout_threshold", "sign_in.lockout_threshold must be between 0 (off) and 1000.")
	}
	if si.LockoutThreshold > 0 && (si.LockoutSeconds < 60 || si.LockoutSeconds > 30*86400) {
		return bad("sign_in.lockout_seconds", "sign_in.lockout_seconds must be between 60 and 2592000 (30 days).")
	}
	if s.Events.RetentionDays < 1 || s.Events.RetentionDays > 3650 {
		return bad("events.retention_days", "events.retention_days must be between 1 and 3650.")
	}
	if len(s.Webhooks.AlertEmails) > 20 {
		return bad("webhooks.alert_emails", "webhooks.alert_emails takes at most 20 addresses.")
	}
	for _, a := range s.Webhooks.AlertEmails {
		if _, _, err := NormalizeEmail(a); err != nil {
			return bad("webhooks.alert_emails", "webhooks.alert_emails must hold email addresses; %q is not one.", a)
		}
	}
	su := s.SignUp
	switch su.Mode {
	case SignUpPublic, SignUpRestricted, SignUpWaitlist:
	default:
		return bad("sign_up.mode", "sign_up.mode must be public, restricted or waitlist.")
	}
	for _, f := range []struct {
		param string
		list  []string
	}{{"sign_up.allowed_email_domains", su.AllowedEmailDomains}, {"sign_up.blocked_email_domains", su.BlockedEmailDomains}} {
		for _, d := range f.list {
			if _, _, err := NormalizeEmail("x@" + d); err != nil || strings.Contains(d, "@") {
				return bad(f.param, "%q is not a domain name such as example.com.", d)
			}
		}
	}
	for _, a := range su.BlockedEmailAddresses {
		if _, _, err := NormalizeEmail(a); err != nil {
			return bad("sign_up.blocked_email_addresses", "%q is not an email address.", a)
		}
	}
	for name := range s.Session.Claims {
		if reservedClaims[name] {
			return bad("session.claims", "%q is a registered claim set by Latchkey; choose another name.", name)
		}
	}
	ss := s.Session
	if ss.LifetimeSeconds < 300 || ss.LifetimeSeconds > 10*365*86400 {
		return bad("session.lifetime_seconds", "session.lifetime_seconds must be between 300 (5 minutes) and 315360000 (10 years).")
	}
	if ss.InactivityTimeoutSeconds != 0 && (ss.InactivityTimeoutSeconds < 300 || ss.InactivityTimeoutSeconds > ss.LifetimeSeconds) {
		return bad("session.inactivity_timeout_seconds", "session.inactivity_timeout_seconds must be 0 (off) or between 300 and the session lifetime.")
	}
	if ss.TokenLifetimeSeconds < 30 || ss.TokenLifetimeSeconds > 3600 {
		return bad("session.token_lifetime_seconds", "session.token_lifetime_seconds must be between 30 and 3600.")
	}
	for _, o := range s.AllowedOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "/") {
			return bad("allowed_origins", "%q is not an origin; write scheme://host[:port] with no path, such as https://app.example.com.", o)
		}
	}
	for _, r := range s.RedirectURLs {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.Fragment != "" {
			return bad("redirect_urls", "%q is not an absolute http(s) URL without credentials or fragment.", r)
		}
	}
	if c := s.Branding.PrimaryColor; c != "" && !hexColor.MatchString(c) {
		return bad("branding.primary_color", "branding.primary_color must be a hex color such as #4f46e5.")
	}
	if l := s.Branding.LogoURL; l != "" {
		if u, err := url.Parse(l); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return bad("branding.logo_url", "branding.logo_url must be an absolute http(s) URL.")
		}
	}
	if utf8.RuneCountInString(s.Branding.ApplicationName) > 100 {
		return bad("branding.application_name", "branding.application_name is at most 100 characters.")
	}
	switch s.Mail.Delivery {
	case MailDeliveryLatchkey, MailDeliveryApp:
	default:
		return bad("mail.delivery", "mail.delivery must be latchkey (Latchkey sends the mail) or app (your app sends it from email.created events).")
	}
	for _, f := range []struct{ param, addr string }{
		{"mail.from_address", s.Mail.FromAddress}, {"mail.reply_to", s.Mail.ReplyTo}, {"branding.support_email", s.Branding.SupportEmail},
	} {
		if f.addr == "" {
			continue
		}
		if _, _, err := NormalizeEmail(f.addr); err != nil {
			return bad(f.param, "%s is not a valid email address.", f.param)
		}
	}
	return nil
}

// reservedClaims are the session-token claims Latchkey sets itself.
var reservedClaims = map[string]bool{"iss": true, "sub": true, "sid": true, "azp": true, "iat": true, "nbf": true,
	"exp": true, "jti": true, "v": true, "fva": true, "o": true, "act": true}
