package mail

import (
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/latchkeyhq/latchkey"
)

var acme = latchkey.BrandingSettings{ApplicationName: "Acme", PrimaryColor: "#4F46E5", SupportEmail: "Acme Help <help@acme.example>"}

// sample returns valid data for every kind.
func sample(kind string) map[string]string {
	switch kind {
	case KindVerificationCode, KindPasswordResetCode:
		return map[string]string{"code": "246810"}
	case KindMagicLink, KindPasswordResetLink:
		return map[string]string{"link": "https://acme.example/v1/verify?token=t0k"}
	case KindNewDeviceSignIn:
		return map[string]string{"browser": "Firefox 128", "os": "Linux", "ip": "203.0.113.7", "city": "Lisbon",
			"time": "2026-03-01T09:30:00Z", "link": "https://acme.example/user/security"}
	case KindPasswordChanged:
		return map[string]string{"time": "2026-03-01T09:30:00+01:00", "link": "https://acme.example/reset"}
	case KindWebhookEndpointDisabled:
		return map[string]string{"endpoint_url": "https://api.acme.example/hooks/latchkey", "endpoint_id": "whe_2xYz",
			"failing_since": "2026-02-24 09:30 UTC", "last_error": "HTTP 503 Service Unavailable"}
	}
	return nil
}

func TestRenderEveryKind(t *testing.T) {
	for _, kind := range Kinds() {
		for _, locale := range []string{"en", "", "en-GB", "xx_YY"} {
			m, err := Render(kind, locale, acme, sample(kind))
			if err != nil {
				t.Fatalf("%s/%q: %v", kind, locale, err)
			}
			if m.Kind != kind || m.Subject == "" || m.Text == "" || m.HTML == "" || m.CreatedAt.IsZero() {
				t.Fatalf("%s: incomplete message %+v", kind, m)
			}
			if !strings.Contains(m.Subject, "Acme") {
				t.Errorf("%s: subject %q does not name the application", kind, m.Subject)
			}
			if !strings.Contains(m.HTML, `<html lang="en">`) || !strings.Contains(m.HTML, "#4f46e5") {
				t.Errorf("%s: HTML lacks lang or primary color", kind)
			}
			for _, body := range []string{m.Text, m.HTML} {
				if !strings.Contains(body, "help@acme.example") {
					t.Errorf("%s: body lacks the support address", kind)
				}
				if placeholder.MatchString(body) {
					t.Errorf("%s: unfilled placeholder in\n%s", kind, body)
				}
			}
			if strings.Contains(m.HTML, "<style") || strings.Contains(m.HTML, "<link") || strings.Contains(m.HTML, "<script") {
				t.Errorf("%s: HTML has a style sheet or script", kind)
			}
			for k, v := range sample(kind) {
				if k == "time" {
					continue
				}
				if !strings.Contains(m.Text, v) {
					t.Errorf("%s: text lacks %s %q:\n%s", kind, k, v, m.Text)
				}
			}
		}
	}
}

func TestRenderCodeAndExpiry(t *testing.T) {
	m, err := Render(KindVerificationCode, "en", acme, map[string]string{"code": "123456"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Data["expires_in_minutes"] != "10" || m.Data["purpose"] != PurposeSignIn {
		t.Errorf("defaults not filled in: %v", m.Data)
	}
	if !strings.Contains(m.Text, "\n    123456\n") || !strings.Contains(m.Text, "expires in 10 minutes") {
		t.Errorf("text:\n%s", m.Text)
	}
	if m.Subject != "123456 is your Acme verification code" {
		t.Errorf("subject = %q", m.Subject)
	}

	m, err = Render(KindPasswordResetCode, "en", acme, map[string]string{"code": "654321", "expires_in_minutes": "05"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Data["expires_in_minutes"] != "5" || !strings.Contains(m.Text, "expires in 5 minutes") || !strings.Contains(m.HTML, "expires in 5 minutes") {
		t.Errorf("expiry not rendered from data:\n%s", m.Text)
	}
}

func TestRenderPurpose(t *testing.T) {
	link := "https://acme.example/v1/verify?token=x"
	for purpose, want := range map[string][2]string{
		PurposeSignIn:      {"Sign in to Acme", "Sign in</a>"},
		PurposeSignUp:      {"Finish signing up for Acme", "Verify email address</a>"},
		PurposeVerifyEmail: {"Verify your email address for Acme", "Verify email address</a>"},
	} {
		m, err := Render(KindMagicLink, "en", acme, map[string]string{"link": link, "purpose": purpose})
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != want[0] || !strings.Contains(m.HTML, want[1]) {
			t.Errorf("%s: subject %q, HTML lacks %q", purpose, m.Subject, want[1])
		}
	}
	m, err := Render(KindVerificationCode, "en", acme, map[string]string{"code": "123456", "purpose": PurposeSignUp})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "finish signing up for Acme") {
		t.Errorf("sign-up code text:\n%s", m.Text)
	}
}

func TestRenderRejectsBadData(t *testing.T) {
	tests := []struct {
		kind string
		data map[string]string
		want string
	}{
		{"nope", nil, "unknown kind"},
		{KindVerificationCode, nil, `"code" is required`},
		{KindVerificationCode, map[string]string{"code": "12 34"}, "letters or digits"},
		{KindVerificationCode, map[string]string{"code": "<b>1234</b>"}, "letters or digits"},
		{KindVerificationCode, map[string]string{"code": "123456", "link": "https://a.example"}, "not used"},
		{KindVerificationCode, map[string]string{"code": "123456", "expires_minutes": "5"}, "not used"},
		{KindVerificationCode, map[string]string{"code": "123456", "expires_in_minutes": "0"}, "minutes"},
		{KindVerificationCode, map[string]string{"code": "123456", "expires_in_minutes": "ten"}, "minutes"},
		{KindVerificationCode, map[string]string{"code": "123456", "purpose": "reset"}, "purpose"},
		{KindMagicLink, map[string]string{"link": "javascript:alert(1)"}, "http or https"},
		{KindMagicLink, map[string]string{"link": "JavaScript:alert(1)"}, "http or https"},
		{KindMagicLink, map[string]string{"link": "data:text/html,<script>alert(1)</script>"}, "control character"},
		{KindMagicLink, map[string]string{"link": "data:text/html;base64,PHNjcmlwdD4="}, "http or https"},
		{KindMagicLink, map[string]string{"link": "/v1/verify?token=x"}, "http or https"},
		{KindMagicLink, map[string]string{"link": "//evil.example/x"}, "http or https"},
		{KindMagicLink, map[string]string{"link": "https:evil"}, "absolute"},
		{KindMagicLink, map[string]string{"link": "https://a.example/x y"}, "space"},
		{KindMagicLink, map[string]string{"link": "https://a.example/\"onmouseover=alert(1)"}, "control character"},
		{KindPasswordResetLink, map[string]string{"link": "ftp://a.example/"}, "http or https"},
		{KindPasswordChanged, map[string]string{"time": "yesterday"}, "RFC 3339"},
		{KindNewDeviceSignIn, map[string]string{"link": "vbscript:x"}, "http or https"},
		{KindWebhookEndpointDisabled, map[string]string{"endpoint_id": "whe_1", "failing_since": "x"}, `"endpoint_url" is required`},
		{KindWebhookEndpointDisabled, map[string]string{"endpoint_url": "https://a.example", "failing_since": "x"}, `"endpoint_id" is required`},
		{KindWebhookEndpointDisabled, map[string]string{"endpoint_url": "https://a.example", "endpoint_id": "whe_1"}, `"failing_since" is required`},
		{KindWebhookEndpointDisabled, map[string]string{"endpoint_url": "javascript:alert(1)", "endpoint_id": "whe_1", "failing_since": "x"}, "http or https"},
		{KindWebhookEndpointDisabled, map[string]string{"endpoint_url": "https://a.example", "endpoint_id": "../users", "failing_since": "x"}, "letters, digits"},
		{KindWebhookEndpointDisabled, map[string]string{"endpoint_url": "https://a.example", "endpoint_id": "whe_1", "failing_since": "x", "link": "https://a.example"}, "not used"},
	}
	for _, tt := range tests {
		_, err := Render(tt.kind, "en", acme, tt.data)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Render(%s, %v) = %v, want an error containing %q", tt.kind, tt.data, err, tt.want)
		}
	}
}

func TestRenderEscapesHostileInput(t *testing.T) {
	b := latchkey.BrandingSettings{
		ApplicationName: "Evil\r\nBcc: victim@example.com <img src=x onerror=alert(1)>",
		LogoURL:         "javascript:alert(1)",
		PrimaryColor:    "red;background:url(https://evil.example/)",
		SupportEmail:    "not an address",
	}
	m, err := Render(KindNewDeviceSignIn, "en", b, map[string]string{
		"browser": `<script>alert("ua")</script>`, "os": "Linux\r\nX-Injected: 1", "city": `"><svg onload=alert(1)>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("subject %q has a line break", m.Subject)
	}
	for _, bad := range []string{"<img", "<script", "<svg", "javascript:", "evil.example", "red;"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML contains %q:\n%s", bad, m.HTML)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", "&lt;script&gt;alert(&#34;ua&#34;)&lt;/script&gt;",
		"&#34;&gt;&lt;svg onload=alert(1)&gt;", defaultPrimaryColor} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if !strings.Contains(m.Text, "Operating system: Linux X-Injected: 1\n") {
		t.Errorf("free text was not kept to one line:\n%s", m.Text)
	}
	if strings.Contains(m.Text, "not an address") {
		t.Error("an invalid support address was shown")
	}
}

func TestRenderBranding(t *testing.T) {
	m, err := Render(KindPasswordChanged, "en", latchkey.BrandingSettings{LogoURL: "https://cdn.acme.example/logo.png?v=1&x=2", PrimaryColor: "#ff0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Subject, "Latchkey") {
		t.Errorf("an empty application name is not replaced: %q", m.Subject)
	}
	if !strings.Contains(m.HTML, `<img src="https://cdn.acme.example/logo.png?v=1&amp;x=2"`) {
		t.Errorf("HTML lacks the logo:\n%s", m.HTML)
	}
	if strings.Contains(m.Text, "contact") || strings.Contains(m.HTML, "mailto:") {
		t.Error("a support address appears though none is set")
	}
	if !strings.Contains(m.HTML, "#ff0") {
		t.Error("HTML lacks the primary color")
	}
	// No link: no button.
	if strings.Contains(m.HTML, "<a href=\"http") {
		t.Errorf("a button without a link:\n%s", m.HTML)
	}
	// The time is shown in UTC.
	m, err = Render(KindPasswordChanged, "en", acme, map[string]string{"time": "2026-03-01T09:30:00+01:00"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Sunday, 1 March 2026 at 08:30 UTC") {
		t.Errorf("time not shown in UTC:\n%s", m.Text)
	}
	// Without a time, now.
	m, err = Render(KindNewDeviceSignIn, "en", acme, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339, m.Data["time"]); err != nil || !strings.Contains(m.Text, time.Now().UTC().Format("2006")) {
		t.Errorf("no default time: %v\n%s", m.Data, m.Text)
	}
}

func TestReadableOn(t *testing.T) {
	for color, want := range map[string]string{
		"#18181b": "#ffffff", "#4f46e5": "#ffffff", "#000": "#ffffff",
		"#ffff00": "#000000", "#fff": "#000000", "#22c55e": "#000000",
	} {
		if got := readableOn(color); got != want {
			t.Errorf("readableOn(%s) = %s, want %s", color, got, want)
		}
	}
}

// TestRenderSecondLocale shows the catalog is ready for translation: a
// locale is one more map, looked up by language with per-key fallback.
func TestRenderSecondLocale(t *testing.T) {
	catalog["de"] = map[string]string{
		"verification_code.heading": "Ihr Bestätigungscode",
		"verification_code.subject": "{code} ist Ihr Bestätigungscode für {app}",
	}
	t.Cleanup(func() { delete(catalog, "de") })

	m, err := Render(KindVerificationCode, "de-AT", acme, map[string]string{"code": "123456"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "123456 ist Ihr Bestätigungscode für Acme" || !strings.Contains(m.Text, "Ihr Bestätigungscode\n") {
		t.Errorf("German strings not used: %q\n%s", m.Subject, m.Text)
	}
	if !strings.Contains(m.Text, "expires in 10 minutes") {
		t.Errorf("a missing German string did not fall back to English:\n%s", m.Text)
	}
	if !strings.Contains(m.HTML, `<html lang="de">`) {
		t.Error("lang is not de")
	}
}

func TestCatalog(t *testing.T) {
	if len(Kinds()) != len(kinds) {
		t.Errorf("Kinds() lists %d kinds, the templates %d", len(Kinds()), len(kinds))
	}
	en := catalog[defaultLocale]
	for locale, strs := range catalog {
		for k := range strs {
			if _, ok := en[k]; !ok {
				t.Errorf("locale %s has key %q, which en lacks", locale, k)
			}
		}
	}
	// Every placeholder in en is one Render knows.
	known := map[string]bool{"app": true, "code": true, "minutes": true, "time": true, "support_email": true,
		"endpoint_url": true, "endpoint_id": true, "failing_since": true}
	for k, s := range en {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			if !known[m[1]] {
				t.Errorf("%s uses unknown placeholder {%s}", k, m[1])
			}
		}
	}
	if _, err := time.Parse(en["format.datetime"], time.Now().Format(en["format.datetime"])); err != nil {
		t.Errorf("format.datetime is not a time layout: %v", err)
	}
}

func TestRenderDoesNotAliasData(t *testing.T) {
	in := map[string]string{"code": "123456"}
	orig := maps.Clone(in)
	m, err := Render(KindVerificationCode, "en", acme, in)
	if err != nil {
		t.Fatal(err)
	}
	m.Data["code"] = "999999"
	if !maps.Equal(in, orig) {
		t.Errorf("Render changed or aliased its input: %v", in)
	}
}

func TestRenderWebhookEndpointDisabled(t *testing.T) {
	data := sample(KindWebhookEndpointDisabled)
	m, err := Render(KindWebhookEndpointDisabled, "en", acme, data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Acme: a webhook endpoint was disabled" {
		t.Errorf("subject = %q", m.Subject)
	}
	for _, want := range []string{
		"Your webhook endpoint https://api.acme.example/hooks/latchkey was disabled after failing for 5 days.",
		"Endpoint ID: whe_2xYz\n", "Failing since: 2026-02-24 09:30 UTC\n", "Last error: HTTP 503 Service Unavailable\n",
		"    POST /api/v1/webhooks/endpoints/whe_2xYz/enable\n    {\"replay\":\"missed\"}\n",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `POST /api/v1/webhooks/endpoints/whe_2xYz/enable<br>{"replay":"missed"}`) {
		t.Errorf("HTML lacks the enable request:\n%s", m.HTML)
	}

	// No last error: no line for it. A hostile one is one escaped line.
	delete(data, "last_error")
	m, err = Render(KindWebhookEndpointDisabled, "en", acme, data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Text, "Last error") {
		t.Errorf("an empty last error is shown:\n%s", m.Text)
	}
	data["last_error"] = "<script>alert(1)</script>\r\nBcc: x@example.com " + strings.Repeat("e", 500)
	m, err = Render(KindWebhookEndpointDisabled, "en", acme, data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Error("the last error is not escaped in HTML")
	}
	if !strings.Contains(m.Text, "Last error: <script>alert(1)</script> Bcc: x@example.com eee") || len([]rune(m.Data["last_error"])) != 300 {
		t.Errorf("the last error is not one short line: %q", m.Data["last_error"])
	}
}
