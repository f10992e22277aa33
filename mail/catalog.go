package mail

// catalog holds every string Latchkey's mail shows, by locale and key. To add
// a locale, add a map keyed like "en" (say "de", or "pt-br" for a regional
// variant): Render looks a key up in the exact locale, then its language,
// then "en", so a partial translation still renders. A test checks that no
// locale has a key "en" lacks, which catches typos in translated keys.
//
// Placeholders in braces are filled at render time: {app}, {code},
// {minutes}, {time}, {support_email}, and for webhook_endpoint_disabled
// {endpoint_url}, {endpoint_id}, {failing_since}. They are plain text; the HTML
// template escapes them. Keys ending in .sign_in, .sign_up or
// .verify_email are chosen by the "purpose" data value and fall back to
// the key without the suffix.
var catalog = map[string]map[string]string{
	"en": {
		// format.datetime is a Go time layout; times are shown in UTC.
		"format.datetime":  "Monday, 2 January 2006 at 15:04 MST",
		"app.default_name": "Latchkey",
		"footer.sent_by":   "This message was sent by {app}.",
		"footer.support":   "Questions? Contact {support_email}.",
		"link.fallback":    "If the button does not work, copy this link into your browser:",

		"verification_code.subject":            "{code} is your {app} verification code",
		"verification_code.heading":            "Your verification code",
		"verification_code.intro.sign_in":      "Enter this code to sign in to {app}:",
		"verification_code.intro.sign_up":      "Enter this code to verify your email address and finish signing up for {app}:",
		"verification_code.intro.verify_email": "Enter this code to verify your email address for {app}:",
		"verification_code.expiry":             "The code expires in {minutes} minutes and works once.",
		"verification_code.ignore":             "If you did not ask for this code, ignore this email. Never share the code with anyone: {app} will never ask you for it.",
		"magic_link.subject.sign_in":           "Sign in to {app}",
		"magic_link.subject.sign_up":           "Finish signing up for {app}",
		"magic_link.subject.verify_email":      "Verify your email address for {app}",
		"magic_link.heading.sign_in":           "Sign in to {app}",
		"magic_link.heading.sign_up":           "Finish signing up",
		"magic_link.heading.verify_email":      "Verify your email address",
		"magic_link.intro.sign_in":             "Use the button below to sign in to {app}.",
		"magic_link.intro.sign_up":             "Use the button below to verify your email address and finish signing up for {app}.",
		"magic_link.intro.verify_email":        "Use the button below to verify your email address for {app}.",
		"magic_link.button.sign_in":            "Sign in",
		"magic_link.button":                    "Verify email address",
		"magic_link.expiry":                    "The link expires in {minutes} minutes and works once.",
		"magic_link.ignore":                    "If you did not ask for this link, ignore this email: nothing happens until the link is used.",
		"password_reset_code.subject":          "{code} is your {app} password reset code",
		"password_reset_code.heading":          "Reset your password",
		"password_reset_code.intro":            "Someone, hopefully you, asked to reset the password of your {app} account. Enter this code to choose a new password:",
		"password_reset_code.expiry":           "The code expires in {minutes} minutes and works once.",
		"password_reset_code.ignore":           "If you did not ask to reset your password, ignore this email: your password stays the same. Never share the code with anyone.",
		"password_reset_link.subject":          "Reset your {app} password",
		"password_reset_link.heading":          "Reset your password",
		"password_reset_link.intro":            "Someone, hopefully you, asked to reset the password of your {app} account. Use the button below to choose a new password.",
		"password_reset_link.button":           "Reset password",
		"password_reset_link.expiry":           "The link expires in {minutes} minutes and works once.",
		"password_reset_link.ignore":           "If you did not ask to reset your password, ignore this email: your password stays the same.",
		"new_device_sign_in.subject":           "New sign-in to your {app} account",
		"new_device_sign_in.heading":           "New sign-in from a new device",
		"new_device_sign_in.intro":             "Your {app} account was just signed in to from a device that has not been used with it before.",
		"new_device_sign_in.browser":           "Browser",
		"new_device_sign_in.os":                "Operating system",
		"new_device_sign_in.ip":                "IP address",
		"new_device_sign_in.city":              "Location",
		"new_device_sign_in.time":              "Time",
		"new_device_sign_in.ok":                "If this was you, there is nothing to do.",
		"new_device_sign_in.warning":           "If this was not you, change your password now and sign the device out.",
		"new_device_sign_in.button":            "Review your devices",
		"password_changed.subject":             "Your {app} password was changed",
		"password_changed.heading":             "Your password was changed",
		"password_changed.intro":               "The password of your {app} account was changed on {time}.",
		"password_changed.ok":                  "If you made this change, there is nothing to do.",
		"password_changed.warning":             "If you did not make this change, reset your password now: someone else may have access to your account.",
		"password_changed.warning_support":     "If you did not make this change, reset your password now and contact {support_email}: someone else may have access to your account.",
		"password_changed.button":              "Secure your account",

		// webhook_endpoint_disabled goes to the instance's operators.
		"webhook_endpoint_disabled.subject":       "{app}: a webhook endpoint was disabled",
		"webhook_endpoint_disabled.heading":       "A webhook endpoint was disabled",
		"webhook_endpoint_disabled.intro":         "Your webhook endpoint {endpoint_url} was disabled after failing for 5 days. {app} sends it no more events until you enable it again.",
		"webhook_endpoint_disabled.endpoint_id":   "Endpoint ID",
		"webhook_endpoint_disabled.failing_since": "Failing since",
		"webhook_endpoint_disabled.last_error":    "Last error",
		"webhook_endpoint_disabled.reenable":      "Once the endpoint answers again, enable it with the Backend API and ask for a replay of the events it missed while it failed:",
		"webhook_endpoint_disabled.replay":        "Only events still kept by {app} can be replayed, so do not wait too long.",
	},
}

// defaultLocale is the locale every lookup falls back to.
const defaultLocale = "en"
