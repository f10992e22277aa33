package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// oauthErrorParam tells the page the callback redirects to which stable
// error code ended the sign-in with a provider.
const oauthErrorParam = "lk_error"

// maxCallbackForm bounds Apple's form_post body.
const maxCallbackForm = 64 << 10

// oauthCallback is GET /v1/oauth_callback: the provider sends the browser
// back here. It is a browser navigation, like /v1/verify: the outcome is a
// 303 to the attempt's redirect URL with lk_status (verified, transferable)
// or lk_error (a stable code), and the browser's cookies set when it was
// signed in. Without a usable state (unknown, used, expired, or another
// browser's) there is nowhere trustworthy to go: a small HTML error page,
// or the JSON error for callers that do not ask for HTML.
func (s *Server) oauthCallback(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error {
	if s.social == nil {
		return errRouteNotFound(r.URL.Path)
	}
	if r.Method == http.MethodHead {
		// A probe (a link checker) must not use up the state.
		w.WriteHeader(http.StatusOK)
		return nil
	}
	out, err := s.social.Callback(r.Context(), fc.state, r.URL.Query(), fc.req)
	if err != nil {
		return s.callbackFailed(w, r, err)
	}
	if out.Err != nil {
		code := latchkey.CodeInternal
		var e *latchkey.Error
		if errors.As(out.Err, &e) {
			code = e.Code
			if e.Cause != nil {
				s.log.Info("oauth callback refused", "trace_id", traceID(r.Context()), "code", code, "err", e.Cause)
			}
		} else {
			s.log.Error("oauth callback", "trace_id", traceID(r.Context()), "err", out.Err)
		}
		http.Redirect(w, r, s.callbackTarget(out.RedirectURL, oauthErrorParam, string(code)), http.StatusSeeOther)
		return nil
	}
	if fc.state.Credential != "" {
		if err := s.setClientCookies(w, r, fc); err != nil {
			return s.callbackFailed(w, r, err)
		}
	}
	http.Redirect(w, r, s.callbackTarget(out.RedirectURL, linkStatusParam, out.Status), http.StatusSeeOther)
	return nil
}

// oauthCallbackPost is POST /v1/oauth_callback, where providers using
// response_mode=form_post (Apple) send the browser. That cross-site POST
// carries no SameSite=Lax cookie, so the client the state is bound to
// cannot be known here: the answer is a 303 to the GET callback with the
// same parameters, a top-level navigation that carries the cookie.
func (s *Server) oauthCallbackPost(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxCallbackForm)
	if err := r.ParseForm(); err != nil {
		return latchkey.Errorf(latchkey.CodeOAuthStateInvalid, "", "The provider's answer could not be read.")
	}
	q := url.Values{}
	for _, k := range []string{"state", "code", "error", "error_description", "user"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	http.Redirect(w, r, auth.CallbackPath+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// callbackTarget is the attempt's redirect URL (allow-listed when the
// attempt started; checked again, as the list may have changed) with the
// outcome added, or the public URL.
func (s *Server) callbackTarget(raw, param, value string) string {
	target, err := s.checkRedirect(raw)
	if err != nil || target == nil {
		target = &url.URL{Scheme: s.public.Scheme, Host: s.public.Host, Path: s.public.Path}
		if target.Path == "" {
			target.Path = "/"
		}
	}
	q := target.Query()
	q.Del(linkStatusParam)
	q.Del(oauthErrorParam)
	q.Set(param, value)
	target.RawQuery = q.Encode()
	return target.String()
}

// callbackFailed answers a callback with no usable state like a link that
// cannot be used.
func (s *Server) callbackFailed(w http.ResponseWriter, r *http.Request, err error) error {
	var e *latchkey.Error
	if errors.As(err, &e) && e.Code == latchkey.CodeOAuthStateInvalid {
		if !acceptsHTML(r) {
			return err
		}
		return s.renderVerifyPage(w, r, http.StatusBadRequest, "This sign-in cannot be continued", e)
	}
	return s.verifyFailed(w, r, err)
}
