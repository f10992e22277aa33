package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"

	"github.com/latchkeyhq/latchkey"
)

// MaxURLLength bounds the length of a URL CheckURL accepts.
const MaxURLLength = 2048

// urlParam names the parameter in CheckURL's errors.
const urlParam = "url"

// CheckURL validates a user-supplied URL when it is saved: an absolute https
// URL (http too when opts.AllowHTTP), without credentials, whose host is an
// allowed IP address or a name that resolves, with every address allowed by
// opts. resolver may be nil for the default one. The errors are
// *latchkey.Error on param "url" and name the refused address class but not
// the address (the cause, a *BlockedError, holds it for the log). Passing
// this check proves nothing at call time: the dial-time guard of Dialer and
// NewClient is what protects.
func CheckURL(ctx context.Context, rawURL string, opts Options, resolver *net.Resolver) error {
	if rawURL == "" {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, urlParam, "Give the URL to send webhooks to.")
	}
	if len(rawURL) > MaxURLLength {
		return latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "The URL is longer than %d characters.", MaxURLLength)
	}
	u, err := url.Parse(rawURL)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, urlParam, "The URL must be absolute, such as https://example.com/webhooks.")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && opts.AllowHTTP:
	case u.Scheme == "http":
		return latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "The URL must use https.")
	default:
		return latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "The URL must use https, not %q.", u.Scheme)
	}
	if u.User != nil {
		return latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "The URL must not contain a user name or password; use custom headers for credentials.")
	}
	host := u.Hostname()
	if host == "" {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, urlParam, "The URL has no host.")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return latchkey.Errorf(latchkey.CodeFormParamInvalid, urlParam, "The URL's port must be between 1 and 65535.")
		}
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "The URL must not name an IPv6 zone.")
		}
		addrs = []netip.Addr{ip}
	} else {
		addrs, err = lookup(ctx, resolver, host)
		if err != nil || len(addrs) == 0 {
			e := latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "The URL's host name does not resolve.")
			e.Cause = err
			return e
		}
	}
	for _, a := range addrs {
		if err := Check(a, opts); err != nil {
			var b *BlockedError
			errors.As(err, &b)
			long := "The URL's host is in an address range webhooks may not reach (" + string(b.Class) + ")."
			if b.Embedded != "" {
				long = "The URL's host is in an address range webhooks may not reach (" + string(b.Class) + ", embedded in an " + b.Embedded + " IPv6 address)."
			}
			e := latchkey.Errorf(latchkey.CodeFormParamValue, urlParam, "%s", long)
			e.Cause = err
			return e
		}
	}
	return nil
}
