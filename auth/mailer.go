package auth

import "context"

// Mail kinds the auth flows send.
const (
	MailVerificationCode  = "verification_code"
	MailMagicLink         = "magic_link"
	MailResetPasswordCode = "password_reset_code"
	MailResetPasswordLink = "password_reset_link"
	MailNewDeviceSignIn   = "new_device_sign_in"
	MailPasswordChanged   = "password_changed"
)

// Mailer sends the instance's mail: kind names the template, data fills it
// ("code", "link", "expires_in_minutes", "browser", "os", "ip", "city",
// "time"). The implementation brands and renders it.
type Mailer interface {
	Send(ctx context.Context, kind, to string, data map[string]string) error
}
