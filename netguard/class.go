// Package netguard keeps outgoing requests to user-supplied URLs (webhook
// endpoints) from reaching the server's own network: server-side request
// forgery (SSRF).
//
// The guard runs at dial time, on the IP address the connection is actually
// being made to, after DNS resolution: a name that resolves to 127.0.0.1, or
// that changes its answer between the time a URL was saved and the time it is
// called (DNS rebinding), is refused all the same. CheckURL repeats the same
// checks when a URL is saved, only to give the user an early, clear error.
//
// Refused always: loopback unless Options.AllowLoopback; private ranges (RFC
// 1918, IPv6 unique-local, shared CGNAT space) unless Options.AllowPrivate;
// and in every case the cloud metadata services that sit inside those
// private ranges (class Metadata: AWS's fd00:ec2::254, Alibaba Cloud's
// 100.100.100.200, ...), link-local (including the 169.254.169.254 metadata
// service), unspecified, multicast, broadcast, "this network",
// documentation, benchmarking and other reserved ranges, Teredo, and IPv6
// forms that embed an IPv4 address (IPv4-mapped, NAT64, 6to4) whose
// embedded address is refused. Only TCP is dialled.
package netguard

import (
	"fmt"
	"net/netip"
)

// Class names a kind of IP address.
type Class string

// The address classes. Public is the only class always allowed.
const (
	Public        Class = "public"
	Metadata      Class = "cloud metadata service"
	Loopback      Class = "loopback"
	Private       Class = "private"
	SharedCGNAT   Class = "shared address space (CGNAT)"
	UniqueLocal   Class = "unique local"
	LinkLocal     Class = "link-local"
	Unspecified   Class = "unspecified"
	ThisNetwork   Class = "this network"
	Multicast     Class = "multicast"
	Broadcast     Class = "broadcast"
	Documentation Class = "documentation"
	Benchmarking  Class = "benchmarking"
	Teredo        Class = "Teredo"
	Reserved      Class = "reserved"
)

// Options say which refused classes a caller allows after all. The zero
// value is the production setting: public addresses only, https only.
type Options struct {
	// AllowPrivate allows RFC 1918, unique-local (fc00::/7) and shared CGNAT
	// (100.64.0.0/10) addresses: for endpoints on the operator's own network.
	// The cloud metadata addresses inside those ranges stay refused.
	AllowPrivate bool
	// AllowLoopback allows 127.0.0.0/8 and ::1 (dev mode).
	AllowLoopback bool
	// AllowHTTP lets CheckURL accept plain http URLs.
	AllowHTTP bool
}

// allows reports whether a class is allowed under o. Metadata, like every
// class not named here, never is.
func (o Options) allows(c Class) bool {
	switch c {
	case Public:
		return true
	case Loopback:
		return o.AllowLoopback
	case Private, UniqueLocal, SharedCGNAT:
		return o.AllowPrivate
	}
	return false
}

// BlockedError is the error of a refused address. It names the class so the
// cause is clear in the delivery log; Embedded is set when the address is an
// IPv6 form carrying the refused IPv4 address (IPv4-mapped, NAT64, 6to4).
type BlockedError struct {
	Addr     netip.Addr
	Class    Class
	Embedded string // "IPv4-mapped", "NAT64", "6to4", or ""
}

func (e *BlockedError) Error() string {
	if e.Embedded != "" {
		return fmt.Sprintf("netguard: refused %s: %s IPv6 address embedding a %s IPv4 address", e.Addr, e.Embedded, e.Class)
	}
	return fmt.Sprintf("netguard: refused %s: %s address", e.Addr, e.Class)
}

type prefixClass struct {
	prefix netip.Prefix
	class  Class
}

func p(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// v4Classes lists the special IPv4 ranges of the IANA special-purpose
// registry (RFC 6890 and successors), most specific first where they nest.
// The metadata services come first: they lie inside ranges that options may
// allow, and are refused whatever the options.
var v4Classes = []prefixClass{
	{p("100.100.100.200/32"), Metadata}, // Alibaba Cloud (inside shared CGNAT space)
	{p("192.0.0.192/32"), Metadata},     // Oracle Cloud (inside IETF protocol assignments)
	{p("255.255.255.255/32"), Broadcast},
	{p("0.0.0.0/32"), Unspecified},
	{p("0.0.0.0/8"), ThisNetwork},
	{p("10.0.0.0/8"), Private},
	{p("100.64.0.0/10"), SharedCGNAT},
	{p("127.0.0.0/8"), Loopback},
	{p("169.254.0.0/16"), LinkLocal},
	{p("172.16.0.0/12"), Private},
	{p("192.0.0.0/24"), Reserved}, // IETF protocol assignments
	{p("192.0.2.0/24"), Documentation},
	{p("192.31.196.0/24"), Reserved}, // AS112
	{p("192.52.193.0/24"), Reserved}, // AMT
	{p("192.88.99.0/24"), Reserved},  // former 6to4 relay anycast
	{p("192.168.0.0/16"), Private},
	{p("192.175.48.0/24"), Reserved}, // AS112 direct delegation
	{p("198.18.0.0/15"), Benchmarking},
	{p("198.51.100.0/24"), Documentation},
	{p("203.0.113.0/24"), Documentation},
	{p("224.0.0.0/4"), Multicast},
	{p("240.0.0.0/4"), Reserved},
}

// v6Classes lists the special IPv6 ranges. IPv4-mapped, NAT64 and 6to4
// addresses are handled before this table, by their embedded IPv4 address.
var v6Classes = []prefixClass{
	{p("fd00:ec2::254/128"), Metadata}, // AWS instance metadata (IMDS) over IPv6, inside unique-local
	{p("fd00:ec2::23/128"), Metadata},  // AWS EKS Pod Identity credentials, inside unique-local
	{p("::/128"), Unspecified},
	{p("::1/128"), Loopback},
	{p("::/96"), Reserved},           // deprecated IPv4-compatible
	{p("::ffff:0:0:0/96"), Reserved}, // IPv4-translated (SIIT)
	{p("64:ff9b:1::/48"), Reserved},  // local-use NAT64
	{p("100::/64"), Reserved},        // discard-only
	{p("2001::/32"), Teredo},
	{p("2001:db8::/32"), Documentation},
	{p("2001:2::/48"), Benchmarking},
	{p("2001::/23"), Reserved}, // IETF protocol assignments
	{p("3fff::/20"), Documentation},
	{p("5f00::/16"), Reserved}, // SRv6 SIDs
	{p("fc00::/7"), UniqueLocal},
	{p("fe80::/10"), LinkLocal},
	{p("fec0::/10"), Reserved}, // deprecated site-local
	{p("ff00::/8"), Multicast},
}

var (
	nat64     = p("64:ff9b::/96")
	sixToFour = p("2002::/16")
	// globalUnicast6 is the only IPv6 range IANA allocates for global unicast.
	globalUnicast6 = p("2000::/3")
)

// Classify returns the class of addr, and for an IPv6 address that embeds an
// IPv4 address (IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96, 6to4
// 2002::/16) the class of the embedded address with the embedding's name.
// An invalid address is Reserved.
func Classify(addr netip.Addr) (class Class, embedded string) {
	addr = addr.WithZone("")
	switch {
	case !addr.IsValid():
		return Reserved, ""
	case addr.Is4In6():
		return classify4(addr.Unmap()), "IPv4-mapped"
	case addr.Is6() && nat64.Contains(addr):
		b := addr.As16()
		return classify4(netip.AddrFrom4([4]byte(b[12:16]))), "NAT64"
	case addr.Is6() && sixToFour.Contains(addr):
		b := addr.As16()
		return classify4(netip.AddrFrom4([4]byte(b[2:6]))), "6to4"
	case addr.Is4():
		return classify4(addr), ""
	}
	for _, pc := range v6Classes {
		if pc.prefix.Contains(addr) {
			return pc.class, ""
		}
	}
	if !globalUnicast6.Contains(addr) {
		return Reserved, "" // not allocated for unicast use
	}
	return Public, ""
}

func classify4(addr netip.Addr) Class {
	for _, pc := range v4Classes {
		if pc.prefix.Contains(addr) {
			return pc.class
		}
	}
	return Public
}

// Check returns nil if opts allow connecting to addr, or a *BlockedError
// naming its class.
func Check(addr netip.Addr, opts Options) error {
	class, embedded := Classify(addr)
	if opts.allows(class) {
		return nil
	}
	return &BlockedError{Addr: addr, Class: class, Embedded: embedded}
}
