package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
)

// ClientHeader carries the client credential for native apps that do not
// use cookies; a new or rotated credential comes back in the same response
// header. An app without a credential yet sends the header empty.
const ClientHeader = "Latchkey-Client"

// frontendCtx is what every Frontend API handler works with: the client the
// request acts for (possibly none yet), who sent it, and how the credential
// travels.
type frontendCtx struct {
	state     *auth.ClientState
	req       auth.RequestInfo
	viaHeader bool // the credential came in ClientHeader, not a cookie
}

type frontendFunc func(w http.ResponseWriter, r *http.Request, fc *frontendCtx) error

// frontendAPI wraps a Frontend API endpoint (/v1): it enforces the browser
// security rules (Origin / Sec-Fetch-Site on state changes, CORS only for
// allowed origins with credentials — OWASP ASVS 5.0 V3.5.1-V3.5.3), resolves
// the client from its cookie or header, and answers bad path or query values.
func (s *Server) frontendAPI(h frontendFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		origin := r.Header.Get("Origin")
		if err := s.checkOrigin(w, r, origin); err != nil {
			return err
		}
		if err := checkTextParams(r); err != nil {
			return err
		}
		fc := &frontendCtx{req: s.requestInfo(r)}
		credential := ""
		// A native app sends the header, empty until it has a credential,
		// so even its first (new) credential comes back in the header.
		if v := r.Header.Values(ClientHeader); len(v) > 0 {
			credential, fc.viaHeader = v[0], true
		} else if c, err := r.Cookie(cookieClient); err == nil {
			credential = c.Value
		}
		st, err := s.sessions.ResolveClient(r.Context(), credential, fc.req)
		if err != nil {
			return err
		}
		fc.state = st
		if st.Revoked {
			s.clearCookies(w, r)
		}
		return h(w, r, fc)
	})
}

// checkOrigin applies the cross-origin rules. State-changing requests from
// a browser must come from the public URL's origin, an allowed origin, or (in
// dev mode) a localhost origin; requests with neither Origin nor
// Sec-Fetch-Site are treated as non-browser and allowed only without a
// client cookie. Allowed cross-origin callers get CORS headers with
// credentials; others get none.
func (s *Server) checkOrigin(w http.ResponseWriter, r *http.Request, origin string) error {
	if origin != "" && s.originAllowed(origin) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Set("Access-Control-Expose-Headers", "Latchkey-Trace-Id, Latchkey-Client, Date")
		h.Add("Vary", "Origin")
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return nil
	}
	switch {
	case origin != "":
		if !s.originAllowed(origin) {
			return latchkey.Errorf(latchkey.CodeOriginNotAllowed, "", "The origin %s is not allowed to call this API; add it to the instance's allowed_origins.", truncate(origin, 100))
		}
	case r.Header.Get("Sec-Fetch-Site") != "":
		if site := r.Header.Get("Sec-Fetch-Site"); site != "same-origin" && site != "none" {
			return latchkey.Errorf(latchkey.CodeOriginNotAllowed, "", "Cross-site requests without an Origin header are refused.")
		}
	default:
		if _, err := r.Cookie(cookieClient); err == nil {
			return latchkey.Errorf(latchkey.CodeOriginNotAllowed, "", "A request carrying the client cookie must say where it comes from (Origin header).")
		}
	}
	return nil
}

// originAllowed reports whether a browser origin may call the Frontend API.
func (s *Server) originAllowed(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if s.public.Host != "" && u.Scheme == s.public.Scheme && u.Host == s.public.Host {
		return true
	}
	for _, o := range s.instance.Settings().AllowedOrigins {
		if strings.EqualFold(o, origin) {
			return true
		}
	}
	if s.dev {
		host := u.Hostname()
		return host == "localhost" || host == "127.0.0.1" || host == "::1"
	}
	return false
}

// preflight answers CORS preflight requests for the Frontend API.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" || !s.originAllowed(origin) {
		return latchkey.Errorf(latchkey.CodeOriginNotAllowed, "", "Cross-origin requests from this origin are not allowed; add it to the instance's allowed_origins.")
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
	h.Set("Access-Control-Allow-Headers", "Content-Type, Latchkey-Client")
	h.Set("Access-Control-Max-Age", "600")
	h.Add("Vary", "Origin")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// requestInfo describes the caller for sessions and the audit log, placed
// in a city and country when a GeoIP file is configured.
func (s *Server) requestInfo(r *http.Request) auth.RequestInfo {
	info := auth.RequestInfo{IP: s.clientIP(r), UserAgent: r.UserAgent(), Origin: r.Header.Get("Origin")}
	info.City, info.Country = s.geoip.Lookup(info.IP)
	return info
}

// clientIP is the remote address, or, when it is a trusted proxy, the
// rightmost X-Forwarded-For address that is not a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(hop) {
			return hop.String()
		}
		addr = hop
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// writeFrontend answers a Frontend API request with the envelope
// {"response": ..., "client": ...}, after setting the client credential and
// session cookies when the client changed.
func (s *Server) writeFrontend(w http.ResponseWriter, r *http.Request, fc *frontendCtx, status int, response any) error {
	client, err := s.clientJSON(r.Context(), fc)
	if err != nil {
		return err
	}
	if fc.state.Credential != "" {
		if err := s.setClientCookies(w, r, fc); err != nil {
			return err
		}
	}
	writeJSON(w, status, map[string]any{"response": response, "client": client})
	return nil
}

// limitIP applies a per-IP rate limit.
func (s *Server) limitIP(ctx context.Context, lim auth.Limit, fc *frontendCtx) error {
	return s.limiter.Allow(ctx, lim, fc.req.IP)
}
