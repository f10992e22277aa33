package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"math"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/latchkeyhq/latchkey"
)

//go:embed templates
var templateFS embed.FS

// kindSpec says which data a kind takes.
type kindSpec struct {
	required []string
	optional []string
}

var kinds = map[string]kindSpec{
	KindVerificationCode:  {required: []string{"code"}, optional: []string{"expires_in_minutes", "purpose"}},
	KindMagicLink:         {required: []string{"link"}, optional: []string{"expires_in_minutes", "purpose"}},
	KindPasswordResetCode: {required: []string{"code"}, optional: []string{"expires_in_minutes"}},
	KindPasswordResetLink: {required: []string{"link"}, optional: []string{"expires_in_minutes"}},
	KindNewDeviceSignIn:   {optional: []string{"browser", "os", "ip", "city", "time", "link"}},
	KindPasswordChanged:   {optional: []string{"time", "link"}},
	KindWebhookEndpointDisabled: {required: []string{"endpoint_url", "endpoint_id", "failing_since"},
		optional: []string{"last_error"}},
}

// Kinds returns every message kind, for tests and previews.
func Kinds() []string {
	return []string{KindVerificationCode, KindMagicLink, KindPasswordResetCode,
		KindPasswordResetLink, KindNewDeviceSignIn, KindPasswordChanged, KindWebhookEndpointDisabled}
}

// Purposes of verification codes and magic links, in data["purpose"].
const (
	PurposeSignIn      = "sign_in"
	PurposeSignUp      = "sign_up"
	PurposeVerifyEmail = "verify_email"
)

// DefaultExpiresInMinutes is how long codes and links live unless data says
// otherwise (NIST SP 800-63B rev 4; DESIGN.md).
const DefaultExpiresInMinutes = 10

// defaultPrimaryColor matches the default skin's --lk-primary.
const defaultPrimaryColor = "#18181b"

var (
	htmlTemplates = map[string]*htmltemplate.Template{}
	textTemplates = map[string]*texttemplate.Template{}
)

func init() {
	htmlBase := htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	textBase := texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/layout.txt"))
	for kind := range kinds {
		htmlTemplates[kind] = htmltemplate.Must(htmltemplate.Must(htmlBase.Clone()).ParseFS(templateFS, "templates/"+kind+".html"))
		textTemplates[kind] = texttemplate.Must(texttemplate.Must(textBase.Clone()).ParseFS(templateFS, "templates/"+kind+".txt"))
	}
}

// Render renders a message of kind in locale (falling back to "en", per
// string) for an instance with branding. data holds the kind's values:
//
//	verification_code    code; optional expires_in_minutes (default 10), purpose
//	magic_link           link; optional expires_in_minutes, purpose
//	password_reset_code  code; optional expires_in_minutes
//	password_reset_link  link; optional expires_in_minutes
//	new_device_sign_in   optional browser, os, ip, city, time (RFC 3339), link
//	password_changed     optional time (RFC 3339), link
//	webhook_endpoint_disabled
//	                     endpoint_url, endpoint_id, failing_since (a time
//	                     already formatted, shown as given); optional
//	                     last_error
//
// purpose is sign_in (default), sign_up or verify_email. A link must be an
// absolute http or https URL; link in the notices points to where the person
// can review their devices or reset their password. Unknown keys and invalid
// values are errors, so a typo fails the caller's test rather than a mail.
// The returned Message has no recipient: the caller sets To. Its Data holds
// data with defaults filled in.
func Render(kind, locale string, branding latchkey.BrandingSettings, data map[string]string) (Message, error) {
	spec, ok := kinds[kind]
	if !ok {
		return Message{}, fmt.Errorf("render mail: unknown kind %q", kind)
	}
	now := time.Now()
	d, err := checkData(kind, spec, data, now)
	if err != nil {
		return Message{}, fmt.Errorf("render %s mail: %w", kind, err)
	}
	v := newView(kind, locale, branding, d)
	subject, err := v.P(kind + ".subject")
	if err != nil {
		return Message{}, fmt.Errorf("render %s mail: %w", kind, err)
	}
	v.Subject = oneLine(subject)

	var html, text bytes.Buffer
	if err := htmlTemplates[kind].ExecuteTemplate(&html, "layout.html", v); err != nil {
		return Message{}, fmt.Errorf("render %s mail: %w", kind, err)
	}
	if err := textTemplates[kind].ExecuteTemplate(&text, "layout.txt", v); err != nil {
		return Message{}, fmt.Errorf("render %s mail: %w", kind, err)
	}
	return Message{
		Subject:   v.Subject,
		Text:      tidyText(text.String()),
		HTML:      html.String(),
		Kind:      kind,
		Data:      d,
		CreatedAt: now,
	}, nil
}

var (
	codePattern = regexp.MustCompile(`^[0-9A-Za-z]{4,32}$`)
	// idPattern is a Latchkey ID such as whe_2x...: it goes into a request
	// path the mail tells the reader to call.
	idPattern = regexp.MustCompile(`^[0-9A-Za-z_]{1,64}$`)
)

// checkData validates data against spec and returns a copy with defaults.
func checkData(kind string, spec kindSpec, data map[string]string, now time.Time) (map[string]string, error) {
	allowed := map[string]bool{}
	for _, k := range spec.optional {
		allowed[k] = true
	}
	for _, k := range spec.required {
		allowed[k] = true
		if data[k] == "" {
			return nil, fmt.Errorf("data %q is required", k)
		}
	}
	d := make(map[string]string, len(data)+2)
	for k, val := range data {
		if !allowed[k] {
			return nil, fmt.Errorf("data %q is not used by this kind", k)
		}
		switch k {
		case "code":
			if !codePattern.MatchString(val) {
				return nil, fmt.Errorf("data %q must be 4 to 32 letters or digits", k)
			}
		case "link", "endpoint_url":
			if err := checkLink(val); err != nil {
				return nil, fmt.Errorf("data %q: %w", k, err)
			}
		case "expires_in_minutes":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > 7*24*60 {
				return nil, fmt.Errorf("data %q must be a whole number of minutes from 1 to 10080", k)
			}
			val = strconv.Itoa(n)
		case "purpose":
			if val != PurposeSignIn && val != PurposeSignUp && val != PurposeVerifyEmail {
				return nil, fmt.Errorf("data %q must be %s, %s or %s", k, PurposeSignIn, PurposeSignUp, PurposeVerifyEmail)
			}
		case "time":
			if _, err := time.Parse(time.RFC3339, val); err != nil {
				return nil, fmt.Errorf("data %q must be an RFC 3339 time", k)
			}
		case "endpoint_id":
			if !idPattern.MatchString(val) {
				return nil, fmt.Errorf("data %q must be 1 to 64 letters, digits or underscores", k)
			}
		case "last_error":
			// A receiver's answer, or a network error: the receiver chose
			// it, so it is kept to one line and cut short.
			val = truncateRunes(oneLine(val), 300)
		default:
			// Free text from a request (user agent, GeoIP city): keep it
			// to one short line.
			val = truncateRunes(oneLine(val), 200)
		}
		if val != "" {
			d[k] = val
		}
	}
	for _, k := range spec.optional {
		if _, set := d[k]; set {
			continue
		}
		switch k {
		case "expires_in_minutes":
			d[k] = strconv.Itoa(DefaultExpiresInMinutes)
		case "purpose":
			d[k] = PurposeSignIn
		case "time":
			if kind == KindNewDeviceSignIn || kind == KindPasswordChanged {
				d[k] = now.UTC().Format(time.RFC3339)
			}
		}
	}
	return d, nil
}

// checkLink accepts only absolute http and https URLs, so no template can be
// made to link to javascript:, data: or a relative path.
func checkLink(s string) error {
	if len(s) > 4096 {
		return fmt.Errorf("link is longer than 4096 bytes")
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '"' || r == '<' || r == '>' || r == '\\' {
			return fmt.Errorf("link contains a space, a control character or one of \"<>\\")
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("link is not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("link must be an http or https URL")
	}
	if u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("link must be an absolute URL with a host")
	}
	return nil
}

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// view is what the templates see.
type view struct {
	Kind      string
	Lang      string
	Subject   string
	App       string
	LogoURL   string // empty unless an absolute http(s) URL
	Color     string // #rrggbb or #rgb
	OnColor   string // text color readable on Color
	Support   string // bare address, or empty
	Code      string
	Link      string
	Data      map[string]string
	Details   []detail
	tables    []map[string]string // the locale's strings, then the fallbacks
	purpose   string
	params    *strings.Replacer
	rawParams map[string]string
}

type detail struct{ Label, Value string }

func newView(kind, locale string, b latchkey.BrandingSettings, d map[string]string) *view {
	lang, tables := localeTables(locale)
	v := &view{Kind: kind, Lang: lang, tables: tables, Data: d, Code: d["code"], Link: d["link"], purpose: d["purpose"]}

	v.App = truncateRunes(oneLine(b.ApplicationName), 100)
	if v.App == "" {
		v.App = v.lookup("app.default_name")
	}
	if checkLink(b.LogoURL) == nil {
		v.LogoURL = b.LogoURL
	}
	v.Color = defaultPrimaryColor
	if hexColor.MatchString(b.PrimaryColor) {
		v.Color = strings.ToLower(b.PrimaryColor)
	}
	v.OnColor = readableOn(v.Color)
	if a, err := mail.ParseAddress(b.SupportEmail); err == nil {
		v.Support = a.Address
	}

	when := ""
	if t, err := time.Parse(time.RFC3339, d["time"]); err == nil {
		when = t.UTC().Format(v.lookup("format.datetime"))
	}
	v.rawParams = map[string]string{
		"app": v.App, "code": v.Code, "minutes": d["expires_in_minutes"],
		"time": when, "support_email": v.Support,
		"endpoint_url": d["endpoint_url"], "endpoint_id": d["endpoint_id"], "failing_since": d["failing_since"],
	}
	pairs := make([]string, 0, 2*len(v.rawParams))
	for k, val := range v.rawParams {
		pairs = append(pairs, "{"+k+"}", val)
	}
	v.params = strings.NewReplacer(pairs...)

	if kind == KindNewDeviceSignIn {
		for _, k := range []string{"browser", "os", "ip", "city", "time"} {
			val := d[k]
			if k == "time" {
				val = when
			}
			if val != "" {
				v.Details = append(v.Details, detail{v.lookup(kind + "." + k), val})
			}
		}
	}
	if kind == KindWebhookEndpointDisabled {
		for _, k := range []string{"endpoint_id", "failing_since", "last_error"} {
			if val := d[k]; val != "" {
				v.Details = append(v.Details, detail{v.lookup(kind + "." + k), val})
			}
		}
	}
	return v
}

// localeTables resolves a locale such as "fr-CA" to the string tables to
// search: "fr-ca", then "fr", then "en". lang is the first one found.
func localeTables(locale string) (string, []map[string]string) {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"))
	var tables []map[string]string
	lang := ""
	for _, cand := range []string{l, strings.SplitN(l, "-", 2)[0]} {
		if t, ok := catalog[cand]; ok && cand != defaultLocale {
			tables = append(tables, t)
			if lang == "" {
				lang = cand
			}
		}
	}
	if lang == "" {
		lang = defaultLocale
	}
	return lang, append(tables, catalog[defaultLocale])
}

// lookup returns the raw string for key, or "" if no table has it.
func (v *view) lookup(key string) string {
	for _, t := range v.tables {
		if s, ok := t[key]; ok {
			return s
		}
	}
	return ""
}

// T returns the string for key with its placeholders filled in. A missing
// key, an unknown placeholder or an empty value is an error, which stops
// rendering: a test renders every kind, so a catalog typo fails there.
func (v *view) T(key string) (string, error) {
	s := v.lookup(key)
	if s == "" {
		return "", fmt.Errorf("no string %q in the mail catalog", key)
	}
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if val, ok := v.rawParams[m[1]]; !ok || val == "" {
			return "", fmt.Errorf("mail string %q needs {%s}, which this message does not have", key, m[1])
		}
	}
	return v.params.Replace(s), nil
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// P is T for a key that may vary with the purpose: key.<purpose> if the
// catalog has it, else key.
func (v *view) P(key string) (string, error) {
	if v.purpose != "" && v.lookup(key+"."+v.purpose) != "" {
		return v.T(key + "." + v.purpose)
	}
	return v.T(key)
}

// readableOn picks black or white text for a background color, by the WCAG
// relative luminance of the color.
func readableOn(hex string) string {
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return "#ffffff"
	}
	lin := func(c uint64) float64 {
		s := float64(c) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	l := 0.2126*lin(n>>16&0xff) + 0.7152*lin(n>>8&0xff) + 0.0722*lin(n&0xff)
	// Contrast with white is 1.05/(l+0.05), with black (l+0.05)/0.05;
	// they are equal at l ≈ 0.179.
	if l > 0.179 {
		return "#000000"
	}
	return "#ffffff"
}

// oneLine replaces control characters (CR and LF above all: a subject is a
// header) with spaces and collapses runs of spaces.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// tidyText trims trailing spaces from every line and leaves at most one
// blank line between paragraphs, so templates can be laid out readably.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			if blank > 0 {
				b.WriteString("\n\n")
			} else {
				b.WriteString("\n")
			}
		}
		blank = 0
		b.WriteString(l)
	}
	b.WriteString("\n")
	return b.String()
}
