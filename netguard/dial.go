package netguard

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Timeouts of the guarded client. A webhook attempt succeeds only with a 2xx
// within ClientTimeout, connection, TLS and reading the body included.
const (
	ClientTimeout = 15 * time.Second
	dialTimeout   = 5 * time.Second
	tlsTimeout    = 5 * time.Second
)

// Dialer returns a net.Dialer whose Control function refuses, per opts, every
// connection to an address that is not allowed, after DNS resolution and for
// every address the dialer tries. resolver may be nil for the default one.
func Dialer(opts Options, resolver *net.Resolver) *net.Dialer {
	return &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Resolver:  resolver,
		Control:   control(opts),
	}
}

// control is the net.Dialer Control function: it runs on each socket just
// before connect(2), with the numeric address being connected to.
func control(opts Options) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return fmt.Errorf("netguard: refused network %q", network)
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("netguard: refused unparsable address %q: %w", address, err)
		}
		return Check(ap.Addr(), opts)
	}
}

// NewClient returns an HTTP client for calling user-supplied URLs: every
// connection goes through the guarded Dialer; redirects are not followed
// (the 3xx response is returned as it is, so a redirect cannot lead the
// request elsewhere, and the caller treats it as a failure); no proxy is
// taken from the environment (a proxy would make the dial-time check see the
// proxy's address instead of the target's); the whole request, body
// included, is bounded by ClientTimeout; plain http is refused at request
// time unless opts.AllowHTTP. resolver may be nil.
func NewClient(opts Options, resolver *net.Resolver) *http.Client {
	d := Dialer(opts, resolver)
	var transport http.RoundTripper = &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   tlsTimeout,
		ResponseHeaderTimeout: ClientTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		// Keep a connection per concurrent request to one receiver: with
		// fewer, most webhook deliveries would open a new connection and a
		// busy endpoint would pile up sockets in TIME_WAIT.
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    32,
		MaxResponseHeaderBytes: 64 << 10,
	}
	if !opts.AllowHTTP {
		transport = httpsOnly{transport}
	}
	return &http.Client{
		Transport: transport,
		Timeout:   ClientTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// SchemeError refuses a request that is not https when plain http is not
// allowed.
type SchemeError struct{ Scheme string }

func (e *SchemeError) Error() string {
	return fmt.Sprintf("netguard: refused %s: only https is allowed", e.Scheme)
}

// httpsOnly refuses plain http at request time, so a URL saved while http
// was allowed is not called once it no longer is.
type httpsOnly struct{ next http.RoundTripper }

func (h httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, &SchemeError{Scheme: r.URL.Scheme}
	}
	return h.next.RoundTrip(r)
}

// lookup resolves host to its addresses with resolver (the default resolver
// if nil).
func lookup(ctx context.Context, resolver *net.Resolver, host string) ([]netip.Addr, error) {
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	return resolver.LookupNetIP(ctx, "ip", host)
}
