package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// linkStatusParam tells the page a link redirects to how it went
// (auth.LinkVerified or auth.LinkVerifiedSwitchTab).
const linkStatusParam = "lk_status"

// verifyLink is GET /v1/verify?token=...: the landing page of every mailed
// link (magic links, reset links, sign-up links) and of sign-in tokens. It
// is a browser navigation, not an API call: success is a 303 to the link's
// allow-listed redirect URL (or the public URL), with the browser's cookies
// set when it was signed in; failure is a small HTML page (a JSON error for
// callers that do not accept text/html). The token is
// single-use; the Referrer-Policy every response carries keeps it out of the
// next site's Referer.
func (s *Server) verifyLink(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if r.Method == http.MethodHead {
		// Link checkers in mail clients probe with HEAD; only a real visit
		// uses the link.
		w.WriteHeader(http.StatusOK)
		return nil
	}
	ctx := r.Context()
	c, err := s.signIns.LinkChallenge(ctx, r.URL.Query().Get("token"))
	if err != nil {
		return s.verifyFailed(w, r, err)
	}
	var out *auth.LinkOutcome
	switch c.OwnerType {
	case auth.OwnerSignIn:
		out, err = s.signIns.CompleteLink(ctx, fc.state, c, fc.req)
	case auth.OwnerUser:
		out, err = s.signIns.CompleteTicket(ctx, fc.state, c, fc.req)
	case auth.OwnerSignUp:
		var to string
		to, err = s.signUps.CompleteLink(ctx, fc.state, c, fc.req)
		out = &auth.LinkOutcome{RedirectURL: to}
	default:
		err = latchkey.Errorf(latchkey.CodeVerificationMissing, "token", "This link is not valid.")
	}
	if err != nil {
		return s.verifyFailed(w, r, err)
	}
	if fc.state.Credential != "" {
		if err := s.setClientCookies(w, r, fc); err != nil {
			return s.verifyFailed(w, r, err)
		}
	}
	http.Redirect(w, r, s.linkTarget(out), http.StatusSeeOther)
	return nil
}

// linkTarget is where a used link sends the browser: its redirect URL if
// it is still allowed (the allow-list may have changed since it was
// mailed), else the public URL; with lk_status when the flow says one.
func (s *Server) linkTarget(out *auth.LinkOutcome) string {
	var target *url.URL
	if out.RedirectURL != "" {
		target, _ = s.checkRedirect(out.RedirectURL)
	}
	if target == nil {
		target = &url.URL{Scheme: s.public.Scheme, Host: s.public.Host, Path: s.public.Path}
		if target.Path == "" {
			target.Path = "/"
		}
	}
	if out.Status != "" {
		q := target.Query()
		q.Set(linkStatusParam, out.Status)
		target.RawQuery = q.Encode()
	}
	return target.String()
}

// verifyPage is what a person sees when a link cannot be used. Nothing from
// the request is echoed; html/template escapes what is shown.
var verifyPage = template.Must(template.New("verify").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}} · {{.App}}</title>
<style>` + verifyStyle + `</style></head>
<body><main class="lk-verify" data-code="{{.Code}}"><h1 class="lk-verify-title">{{.Title}}</h1>
<p class="lk-verify-message">{{.Message}}</p><p class="lk-verify-app">{{.App}}</p></main></body></html>
`))

const verifyStyle = `body{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#fafafa;color:#111}` +
	`.lk-verify{max-width:28rem;padding:2rem;background:#fff;border:1px solid #e5e5e5;border-radius:.75rem}` +
	`.lk-verify-title{font-size:1.25rem;margin:0 0 .75rem}.lk-verify-app{color:#666;font-size:.875rem;margin:1.5rem 0 0}`

// verifyCSP allows the page's one inline style sheet, by hash, and nothing
// else.
var verifyCSP = func() string {
	d := sha256.Sum256([]byte(verifyStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(d[:]) + "'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}()

// verifyFailed renders the error page for a link that cannot be used. A
// caller that does not ask for HTML (a script, a test, curl) gets the
// Frontend API's JSON error instead.
func (s *Server) verifyFailed(w http.ResponseWriter, r *http.Request, err error) error {
	if !acceptsHTML(r) {
		return err
	}
	var e *latchkey.Error
	if !errors.As(err, &e) {
		s.log.Error("verify link", "trace_id", traceID(r.Context()), "err", err)
		e = latchkey.NewError(latchkey.CodeInternal, "")
	}
	status, title := http.StatusBadRequest, "This link cannot be used"
	switch e.Code {
	case latchkey.CodeVerificationMissing:
		title = "This link is not valid"
	case latchkey.CodeVerificationExpired:
		status, title = http.StatusGone, "This link has expired"
	case latchkey.CodeVerificationUsed:
		status, title = http.StatusGone, "This link was already used"
	case latchkey.CodeVerificationFailed:
		status, title = http.StatusGone, "This link is no longer valid"
		e = latchkey.Errorf(e.Code, "", "A newer link was sent, or the sign-in moved on. Use the newest link, or start again.")
	case latchkey.CodeAttemptExpired:
		status, title = http.StatusGone, "This sign-in has expired"
	case latchkey.CodeForbidden:
		status, title = http.StatusForbidden, "Open this link in the same browser"
	case latchkey.CodeUserLocked, latchkey.CodeUserBanned, latchkey.CodeSignedOut:
		status, title = http.StatusForbidden, "You cannot sign in right now"
	case latchkey.CodeSessionExists:
		status, title = http.StatusConflict, "You are already signed in"
	case latchkey.CodeServerBusy, latchkey.CodeInternal:
		status, title = http.StatusInternalServerError, "Something went wrong"
		if e.Code == latchkey.CodeServerBusy {
			status = http.StatusServiceUnavailable
		}
	}
	return s.renderVerifyPage(w, r, status, title, e)
}

// acceptsHTML reports whether the caller asked for a page (a browser
// navigation) rather than JSON.
func acceptsHTML(r *http.Request) bool { return strings.Contains(r.Header.Get("Accept"), "text/html") }

// renderVerifyPage writes the error page of a browser navigation that
// cannot go on: the title, the error's safe message and its code.
func (s *Server) renderVerifyPage(w http.ResponseWriter, r *http.Request, status int, title string, e *latchkey.Error) error {
	msg := e.LongMessage
	if msg == "" {
		msg = e.Message
	}
	var buf bytes.Buffer
	data := struct{ Title, Message, App, Code string }{title, msg, s.instance.Settings().Branding.ApplicationName, string(e.Code)}
	if err := verifyPage.Execute(&buf, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", verifyCSP)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}
