package netguard

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/latchkeyhq/latchkey"
)

// dnsServer starts a tiny authoritative DNS server on loopback UDP that
// answers A and AAAA queries from records (lower-case names with the final
// dot) and NXDOMAIN for any other name, and returns a resolver that asks only
// it. It proves that the guard judges the address a name resolves to, not
// the name.
func dnsServer(t *testing.T, records map[string][]netip.Addr) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n], records); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", pc.LocalAddr().String())
	}}
}

// dnsAnswer builds the response to one query (RFC 1035 section 4), or nil
// for a packet that is not a single-question query.
func dnsAnswer(q []byte, records map[string][]netip.Addr) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	// The question: labels up to the root, then type and class.
	var name strings.Builder
	i := 12
	for {
		if i >= len(q) {
			return nil
		}
		l := int(q[i])
		if l == 0 {
			i++
			break
		}
		if l > 63 || i+1+l > len(q) {
			return nil
		}
		name.WriteString(strings.ToLower(string(q[i+1:i+1+l])) + ".")
		i += 1 + l
	}
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i:])
	question := q[12 : i+4]

	addrs, known := records[name.String()]
	var answers [][]byte
	for _, a := range addrs {
		var typ uint16
		switch {
		case qtype == 1 && a.Is4():
			typ = 1
		case qtype == 28 && a.Is6():
			typ = 28
		default:
			continue
		}
		rr := []byte{0xc0, 12} // pointer to the question's name
		rr = binary.BigEndian.AppendUint16(rr, typ)
		rr = binary.BigEndian.AppendUint16(rr, 1) // class IN
		rr = binary.BigEndian.AppendUint32(rr, 60)
		rr = binary.BigEndian.AppendUint16(rr, uint16(a.BitLen()/8))
		answers = append(answers, append(rr, a.AsSlice()...))
	}
	flags := uint16(0x8400) | binary.BigEndian.Uint16(q[2:])&0x0100 // QR, AA, copy RD
	if !known {
		flags |= 3 // NXDOMAIN
	}
	resp := append([]byte(nil), q[0:2]...)
	resp = binary.BigEndian.AppendUint16(resp, flags)
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers)))
	resp = binary.BigEndian.AppendUint32(resp, 0)
	resp = append(resp, question...)
	for _, rr := range answers {
		resp = append(resp, rr...)
	}
	return resp
}

func testResolver(t *testing.T) *net.Resolver {
	return dnsServer(t, map[string][]netip.Addr{
		"evil.example.":     {netip.MustParseAddr("127.0.0.1")},
		"metadata.example.": {netip.MustParseAddr("169.254.169.254")},
		"mapped.example.":   {netip.MustParseAddr("::ffff:127.0.0.1")},
		"mixed.example.":    {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("10.0.0.1")},
		"internal.example.": {netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fd00::1")},
		"public.example.":   {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("2606:2800:21f:cb07:6820:80da:af6b:8b2c")},
		"nothing.example.":  {},
	})
}

// receiver starts a loopback HTTP server that counts its requests.
func receiver(t *testing.T) (srv *httptest.Server, hits *atomic.Int32) {
	t.Helper()
	hits = new(atomic.Int32)
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/hook", http.StatusFound)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, hits
}

func wantBlocked(t *testing.T, err error, class Class) {
	t.Helper()
	var b *BlockedError
	if !errors.As(err, &b) || b.Class != class {
		t.Fatalf("error %v, want a *BlockedError of class %q", err, class)
	}
}

func TestClientRefusesLoopback(t *testing.T) {
	srv, hits := receiver(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolver := testResolver(t)
	urls := map[string]string{
		"IP literal":                    srv.URL + "/hook",
		"localhost":                     "http://localhost:" + strconv.Itoa(port) + "/hook",
		"a name resolving to 127.0.0.1": "http://evil.example:" + strconv.Itoa(port) + "/hook",
	}
	for name, u := range urls {
		t.Run(name, func(t *testing.T) {
			_, err := NewClient(Options{AllowHTTP: true}, resolver).Get(u)
			if name == "localhost" {
				// localhost comes from /etc/hosts, not from our DNS server.
				_, err = NewClient(Options{AllowHTTP: true}, nil).Get(u)
			}
			wantBlocked(t, err, Loopback)
			if hits.Load() != 0 {
				t.Fatalf("the receiver was reached %d times", hits.Load())
			}
		})
	}
	// The same URLs reach the receiver in dev mode: the refusals above were
	// the guard's, not a failure to resolve or connect.
	for name, u := range urls {
		before := hits.Load()
		r := resolver
		if name == "localhost" {
			r = nil
		}
		resp, err := NewClient(Options{AllowLoopback: true, AllowHTTP: true}, r).Get(u)
		if err != nil {
			t.Fatalf("%s with AllowLoopback: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "ok" || hits.Load() != before+1 {
			t.Fatalf("%s with AllowLoopback: %d %q, %d hits", name, resp.StatusCode, body, hits.Load()-before)
		}
	}
	// AllowPrivate does not allow loopback.
	_, err := NewClient(Options{AllowPrivate: true, AllowHTTP: true}, resolver).Get(srv.URL + "/hook")
	wantBlocked(t, err, Loopback)
}

func TestClientRefusesEmbeddedAndMetadata(t *testing.T) {
	resolver := testResolver(t)
	for host, class := range map[string]Class{"metadata.example": LinkLocal, "mapped.example": Loopback} {
		_, err := NewClient(Options{AllowPrivate: true, AllowHTTP: true}, resolver).Get("http://" + host + "/latest/meta-data/")
		wantBlocked(t, err, class)
	}
	// Control sees every address the dialer tries.
	d := Dialer(Options{}, resolver)
	for addr, class := range map[string]Class{
		"169.254.169.254:80":     LinkLocal,
		"[::ffff:10.0.0.1]:80":   Private,
		"[64:ff9b::7f00:1]:80":   Loopback,
		"[2002:a9fe:a9fe::1]:80": LinkLocal,
		"[fe80::1%lo]:80":        LinkLocal,
		"0.0.0.0:80":             Unspecified,
		"[::]:80":                Unspecified,
	} {
		_, err := d.Dial("tcp", addr)
		wantBlocked(t, err, class)
	}
	if _, err := d.Dial("udp", "127.0.0.1:53"); err == nil || !strings.Contains(err.Error(), "refused network") {
		t.Fatalf("udp dial: %v", err)
	}
	// The metadata services that sit in private ranges stay refused when
	// private targets are allowed.
	private := Dialer(Options{AllowPrivate: true}, resolver)
	for _, addr := range []string{"[fd00:ec2::254]:80", "[fd00:ec2::23]:80", "100.100.100.200:80", "192.0.0.192:80", "[::ffff:100.100.100.200]:80"} {
		_, err := private.Dial("tcp", addr)
		wantBlocked(t, err, Metadata)
	}
}

func TestClientDoesNotFollowRedirects(t *testing.T) {
	srv, hits := receiver(t)
	resp, err := NewClient(Options{AllowLoopback: true, AllowHTTP: true}, nil).Get(srv.URL + "/redirect")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/hook" {
		t.Fatalf("got %d Location %q, want the 302 itself", resp.StatusCode, resp.Header.Get("Location"))
	}
	if hits.Load() != 1 {
		t.Fatalf("the receiver saw %d requests, want 1 (the redirect target must not be requested)", hits.Load())
	}
}

func TestClientIgnoresProxyEnvironment(t *testing.T) {
	srv, hits := receiver(t)
	// A "proxy" that would accept anything: if the client used it, the
	// guard would see the proxy's address, not the target's.
	proxy, proxyHits := receiver(t)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	c := NewClient(Options{AllowLoopback: true, AllowHTTP: true}, nil)
	resp, err := c.Get(srv.URL + "/hook")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits.Load() != 1 || proxyHits.Load() != 0 {
		t.Fatalf("target %d hits, proxy %d", hits.Load(), proxyHits.Load())
	}
	if c.Timeout != ClientTimeout || ClientTimeout.Seconds() != 15 {
		t.Fatalf("client timeout %v", c.Timeout)
	}
}

func TestCheckURL(t *testing.T) {
	resolver := testResolver(t)
	ctx := context.Background()
	tests := []struct {
		url   string
		opts  Options
		code  latchkey.Code // "" for accepted
		class Class         // the refused class, when one is
	}{
		{url: "https://public.example/webhooks", code: ""},
		{url: "https://public.example:8443/webhooks?x=1", code: ""},
		{url: "https://93.184.215.14/hook", code: ""},
		{url: "https://[2606:4700:4700::1111]/hook", code: ""},
		{url: "http://public.example/hook", opts: Options{AllowHTTP: true}, code: ""},
		{url: "", code: latchkey.CodeFormParamMissing},
		{url: "https://public.example/" + strings.Repeat("a", MaxURLLength), code: latchkey.CodeFormParamValue},
		{url: "http://public.example/hook", code: latchkey.CodeFormParamValue},
		{url: "ftp://public.example/hook", code: latchkey.CodeFormParamValue},
		{url: "javascript:alert(1)", code: latchkey.CodeFormParamInvalid},
		{url: "/relative/path", code: latchkey.CodeFormParamInvalid},
		{url: "https://user:s3cr3tpw@public.example/hook", code: latchkey.CodeFormParamValue},
		{url: "https://s3cr3tpw@public.example/hook", code: latchkey.CodeFormParamValue},
		{url: "https:///hook", code: latchkey.CodeFormParamInvalid},
		{url: "https://public.example:0/hook", code: latchkey.CodeFormParamInvalid},
		{url: "https://public.example:70000/hook", code: latchkey.CodeFormParamInvalid},
		{url: "https://nosuch.example/hook", code: latchkey.CodeFormParamValue},
		{url: "https://nothing.example/hook", code: latchkey.CodeFormParamValue},
		{url: "https://evil.example/hook", code: latchkey.CodeFormParamValue, class: Loopback},
		{url: "https://evil.example/hook", opts: Options{AllowLoopback: true}, code: ""},
		{url: "https://metadata.example/hook", opts: Options{AllowPrivate: true, AllowLoopback: true}, code: latchkey.CodeFormParamValue, class: LinkLocal},
		{url: "https://mixed.example/hook", code: latchkey.CodeFormParamValue, class: Private},
		{url: "https://internal.example/hook", code: latchkey.CodeFormParamValue, class: Private},
		{url: "https://internal.example/hook", opts: Options{AllowPrivate: true}, code: ""},
		{url: "https://127.0.0.1/hook", code: latchkey.CodeFormParamValue, class: Loopback},
		{url: "https://[::1]:8080/hook", code: latchkey.CodeFormParamValue, class: Loopback},
		{url: "https://[::ffff:169.254.169.254]/hook", code: latchkey.CodeFormParamValue, class: LinkLocal},
		{url: "https://[fe80::1%25eth0]/hook", code: latchkey.CodeFormParamValue},
		{url: "https://10.0.0.1/hook", code: latchkey.CodeFormParamValue, class: Private},
		{url: "https://10.0.0.1/hook", opts: Options{AllowPrivate: true}, code: ""},
		{url: "https://0.0.0.0/hook", code: latchkey.CodeFormParamValue, class: Unspecified},
	}
	for _, tt := range tests {
		err := CheckURL(ctx, tt.url, tt.opts, resolver)
		if tt.code == "" {
			if err != nil {
				t.Errorf("CheckURL(%q, %+v) = %v, want accepted", tt.url, tt.opts, err)
			}
			continue
		}
		var le *latchkey.Error
		if !errors.As(err, &le) || le.Code != tt.code || le.Param != "url" {
			t.Errorf("CheckURL(%q, %+v) = %v, want %s on url", tt.url, tt.opts, err, tt.code)
			continue
		}
		if tt.class != "" {
			var b *BlockedError
			if !errors.As(err, &b) || b.Class != tt.class || !strings.Contains(le.LongMessage, string(tt.class)) {
				t.Errorf("CheckURL(%q) = %v, want class %q", tt.url, err, tt.class)
			}
			// The message for the user names the class, not the address.
			if strings.Contains(le.LongMessage, b.Addr.String()) {
				t.Errorf("CheckURL(%q) message %q names the address", tt.url, le.LongMessage)
			}
		}
		if strings.Contains(le.Error(), "s3cr3tpw") {
			t.Errorf("CheckURL(%q) message %q repeats the credentials", tt.url, le.LongMessage)
		}
	}
}

// TestClientRefusesHTTP: without AllowHTTP the client refuses plain http
// at request time (a URL saved while http was allowed is not called after),
// before any connection is made.
func TestClientRefusesHTTP(t *testing.T) {
	srv, hits := receiver(t)
	_, err := NewClient(Options{AllowLoopback: true}, nil).Get(srv.URL + "/hook")
	var se *SchemeError
	if !errors.As(err, &se) || se.Scheme != "http" {
		t.Fatalf("error %v, want a *SchemeError for http", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the receiver was reached %d times", hits.Load())
	}
}
