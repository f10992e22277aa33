package web

import "strings"

// userAgent is what the devices list shows about a browser.
type userAgent struct {
	Browser, OS, Device string
}

// parseUserAgent recognises the common browsers and systems from a
// User-Agent header. It is deliberately small: the list only needs to help a
// person recognise their own devices.
func parseUserAgent(ua string) userAgent {
	out := userAgent{Browser: "Unknown browser", OS: "Unknown system", Device: "desktop"}
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/"):
		out.Browser = "Edge"
	case has("OPR/"), has("Opera"):
		out.Browser = "Opera"
	case has("Firefox/"), has("FxiOS/"):
		out.Browser = "Firefox"
	case has("Chrome/"), has("CriOS/"), has("Chromium/"):
		out.Browser = "Chrome"
	case has("Safari/"):
		out.Browser = "Safari"
	case has("curl/"):
		out.Browser = "curl"
	}
	switch {
	case has("iPhone"), has("iPad"), has("iPod"):
		out.OS = "iOS"
	case has("Android"):
		out.OS = "Android"
	case has("Windows"):
		out.OS = "Windows"
	case has("Mac OS X"), has("Macintosh"):
		out.OS = "macOS"
	case has("CrOS"):
		out.OS = "ChromeOS"
	case has("Linux"):
		out.OS = "Linux"
	}
	switch {
	case has("iPad"), has("Tablet"):
		out.Device = "tablet"
	case has("Mobile"), has("iPhone"), has("Android"):
		out.Device = "mobile"
	}
	return out
}
