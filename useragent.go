package latchkey

import "strings"

// Device is what Latchkey shows a person about a browser: enough to
// recognise their own devices in a list or a "new sign-in" mail.
type Device struct {
	Browser, OS, Type string // Type: desktop, mobile or tablet
}

// ParseUserAgent recognises the common browsers and systems in a User-Agent
// header. An empty header gives an empty Device. It is deliberately small:
// names for people, not a fingerprint.
func ParseUserAgent(ua string) Device {
	if ua == "" {
		return Device{}
	}
	d := Device{Browser: "Unknown browser", OS: "Unknown system", Type: "desktop"}
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/"):
		d.Browser = "Edge"
	case has("OPR/"), has("Opera"):
		d.Browser = "Opera"
	case has("Firefox/"), has("FxiOS/"):
		d.Browser = "Firefox"
	case has("Chrome/"), has("CriOS/"), has("Chromium/"):
		d.Browser = "Chrome"
	case has("Safari/"):
		d.Browser = "Safari"
	case has("curl/"):
		d.Browser = "curl"
	}
	switch {
	case has("iPhone"), has("iPad"), has("iPod"):
		d.OS = "iOS"
	case has("Android"):
		d.OS = "Android"
	case has("Windows"):
		d.OS = "Windows"
	case has("Mac OS X"), has("Macintosh"):
		d.OS = "macOS"
	case has("CrOS"):
		d.OS = "ChromeOS"
	case has("Linux"):
		d.OS = "Linux"
	}
	switch {
	case has("iPad"), has("Tablet"):
		d.Type = "tablet"
	case has("Mobile"), has("iPhone"), has("Android"):
		d.Type = "mobile"
	}
	return d
}
