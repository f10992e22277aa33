package netguard

import (
	"errors"
	"net/netip"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr     string
		class    Class
		embedded string
	}{
		// Public.
		{"1.1.1.1", Public, ""},
		{"93.184.215.14", Public, ""},
		{"2606:4700:4700::1111", Public, ""},
		{"::ffff:1.1.1.1", Public, "IPv4-mapped"},
		{"64:ff9b::1.1.1.1", Public, "NAT64"},
		{"2002:0101:0101::1", Public, "6to4"},
		// Loopback.
		{"127.0.0.1", Loopback, ""},
		{"127.255.255.254", Loopback, ""},
		{"::1", Loopback, ""},
		{"::ffff:127.0.0.1", Loopback, "IPv4-mapped"},
		{"64:ff9b::127.0.0.1", Loopback, "NAT64"},
		{"2002:7f00:0001::", Loopback, "6to4"},
		// Private (RFC 1918), shared CGNAT, unique local.
		{"10.0.0.1", Private, ""},
		{"172.16.0.1", Private, ""},
		{"172.31.255.255", Private, ""},
		{"192.168.1.1", Private, ""},
		{"::ffff:10.1.2.3", Private, "IPv4-mapped"},
		{"::ffff:192.168.0.1", Private, "IPv4-mapped"},
		{"64:ff9b::10.0.0.1", Private, "NAT64"},
		{"64:ff9b::c0a8:0101", Private, "NAT64"},
		{"2002:c0a8:0101::1", Private, "6to4"},
		{"2002:ac10::1", Private, "6to4"},
		{"100.64.0.1", SharedCGNAT, ""},
		{"100.127.255.255", SharedCGNAT, ""},
		{"::ffff:100.64.0.1", SharedCGNAT, "IPv4-mapped"},
		{"fc00::1", UniqueLocal, ""},
		{"fd12:3456:789a::1", UniqueLocal, ""},
		// Link-local, cloud metadata included.
		{"169.254.169.254", LinkLocal, ""},
		{"169.254.0.1", LinkLocal, ""},
		{"fe80::1", LinkLocal, ""},
		{"fe80::1%eth0", LinkLocal, ""},
		{"febf::1", LinkLocal, ""},
		{"::ffff:169.254.169.254", LinkLocal, "IPv4-mapped"},
		{"64:ff9b::169.254.169.254", LinkLocal, "NAT64"},
		{"2002:a9fe:a9fe::", LinkLocal, "6to4"},
		// Cloud metadata services outside link-local: refused even with
		// AllowPrivate, which opens the ranges around them.
		{"fd00:ec2::254", Metadata, ""},
		{"fd00:ec2::23", Metadata, ""},
		{"100.100.100.200", Metadata, ""},
		{"192.0.0.192", Metadata, ""},
		{"::ffff:100.100.100.200", Metadata, "IPv4-mapped"},
		{"64:ff9b::100.100.100.200", Metadata, "NAT64"},
		{"2002:6464:64c8::1", Metadata, "6to4"},
		{"fd00:ec2::253", UniqueLocal, ""},
		{"100.100.100.201", SharedCGNAT, ""},
		// Unspecified and "this network".
		{"0.0.0.0", Unspecified, ""},
		{"::", Unspecified, ""},
		{"::ffff:0.0.0.0", Unspecified, "IPv4-mapped"},
		{"0.1.2.3", ThisNetwork, ""},
		{"0.255.255.255", ThisNetwork, ""},
		{"64:ff9b::0.0.0.1", ThisNetwork, "NAT64"},
		// Multicast and broadcast.
		{"224.0.0.1", Multicast, ""},
		{"239.255.255.250", Multicast, ""},
		{"ff02::1", Multicast, ""},
		{"ff05::1:3", Multicast, ""},
		{"::ffff:224.0.0.251", Multicast, "IPv4-mapped"},
		{"255.255.255.255", Broadcast, ""},
		{"::ffff:255.255.255.255", Broadcast, "IPv4-mapped"},
		{"2002:ffff:ffff::", Broadcast, "6to4"},
		// Documentation and benchmarking.
		{"192.0.2.1", Documentation, ""},
		{"198.51.100.7", Documentation, ""},
		{"203.0.113.255", Documentation, ""},
		{"2001:db8::1", Documentation, ""},
		{"3fff::1", Documentation, ""},
		{"::ffff:192.0.2.1", Documentation, "IPv4-mapped"},
		{"198.18.0.1", Benchmarking, ""},
		{"198.19.255.255", Benchmarking, ""},
		{"2001:2::1", Benchmarking, ""},
		{"64:ff9b::198.18.0.1", Benchmarking, "NAT64"},
		// Teredo and other reserved ranges.
		{"2001::1", Teredo, ""},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", Teredo, ""},
		{"240.0.0.1", Reserved, ""},
		{"192.0.0.8", Reserved, ""},
		{"192.88.99.1", Reserved, ""},
		{"::7f00:1", Reserved, ""},          // IPv4-compatible ::127.0.0.1
		{"::ffff:0:7f00:1", Reserved, ""},   // IPv4-translated
		{"64:ff9b:1::7f00:1", Reserved, ""}, // local-use NAT64
		{"100::1", Reserved, ""},
		{"fec0::1", Reserved, ""},
		{"4000::1", Reserved, ""},
		// Boundaries.
		{"9.255.255.255", Public, ""},
		{"11.0.0.0", Public, ""},
		{"100.63.255.255", Public, ""},
		{"100.128.0.0", Public, ""},
		{"172.15.255.255", Public, ""},
		{"172.32.0.0", Public, ""},
		{"126.255.255.255", Public, ""},
		{"128.0.0.0", Public, ""},
		{"223.255.255.255", Public, ""},
		{"fbff:ffff::1", Reserved, ""},
		{"2001:db9::1", Public, ""},
	}
	for _, tt := range tests {
		addr := netip.MustParseAddr(tt.addr)
		class, embedded := Classify(addr)
		if class != tt.class || embedded != tt.embedded {
			t.Errorf("Classify(%s) = %q, %q; want %q, %q", tt.addr, class, embedded, tt.class, tt.embedded)
			continue
		}
		// Check agrees with the class under every combination of options.
		for _, opts := range []Options{{}, {AllowPrivate: true}, {AllowLoopback: true}, {AllowPrivate: true, AllowLoopback: true}} {
			want := tt.class == Public ||
				(opts.AllowLoopback && tt.class == Loopback) ||
				(opts.AllowPrivate && (tt.class == Private || tt.class == UniqueLocal || tt.class == SharedCGNAT))
			err := Check(addr, opts)
			if want != (err == nil) {
				t.Errorf("Check(%s, %+v) = %v, want allowed %v", tt.addr, opts, err, want)
			}
			var b *BlockedError
			if err != nil && (!errors.As(err, &b) || b.Class != tt.class || b.Embedded != tt.embedded || b.Addr != addr) {
				t.Errorf("Check(%s) error %#v", tt.addr, err)
			}
		}
	}
	if class, _ := Classify(netip.Addr{}); class != Reserved {
		t.Errorf("the zero Addr is %q", class)
	}
}

// FuzzClassify checks that the classifier never panics and treats every
// IPv6 form of an IPv4 address like the address itself.
func FuzzClassify(f *testing.F) {
	for _, s := range [][]byte{{127, 0, 0, 1}, {169, 254, 169, 254}, {8, 8, 8, 8}, {0, 0, 0, 0}, {255, 255, 255, 255},
		netip.MustParseAddr("fe80::1").AsSlice(), netip.MustParseAddr("2002:7f00:1::").AsSlice()} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		addr, ok := netip.AddrFromSlice(b)
		class, embedded := Classify(addr)
		if !ok {
			if class != Reserved {
				t.Fatalf("invalid address classified %q", class)
			}
			return
		}
		err := Check(addr, Options{})
		if (err == nil) != (class == Public) {
			t.Fatalf("Check(%s) = %v but class %q", addr, err, class)
		}
		if !addr.Is4() {
			return
		}
		v4 := addr.As4()
		mapped := netip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]})
		nat64 := netip.AddrFrom16([16]byte{0: 0x00, 1: 0x64, 2: 0xff, 3: 0x9b, 12: v4[0], 13: v4[1], 14: v4[2], 15: v4[3]})
		six := netip.AddrFrom16([16]byte{0: 0x20, 1: 0x02, 2: v4[0], 3: v4[1], 4: v4[2], 5: v4[3], 15: 1})
		for name, a := range map[string]netip.Addr{"IPv4-mapped": mapped, "NAT64": nat64, "6to4": six} {
			if c, e := Classify(a); c != class || e != name {
				t.Fatalf("%s (%s) is %q %q, its IPv4 address %s is %q (%q)", a, name, c, e, addr, class, embedded)
			}
		}
	})
}
