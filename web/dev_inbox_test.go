package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
)

// devInboxFixture holds a verification code for Ada, a magic link for Bob
// (sent later) and a message with hostile content.
func devInboxFixture(t *testing.T) *mail.Inbox {
	t.Helper()
	inbox := mail.NewInbox(10)
	send := func(to, kind string, data map[string]string, b latchkey.BrandingSettings) {
		t.Helper()
		m, err := mail.Render(kind, "en", b, data)
		if err != nil {
			t.Fatal(err)
		}
		m.To = to
		if err := inbox.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	acme := latchkey.BrandingSettings{ApplicationName: "Acme"}
	send("ada@example.com", mail.KindVerificationCode, map[string]string{"code": "482913"}, acme)
	send("Bob <bob@example.com>", mail.KindMagicLink, map[string]string{"link": "https://app.example/v1/verify?token=t1&a=b"}, acme)
	send("eve@example.com", mail.KindNewDeviceSignIn, map[string]string{"browser": `<script>alert("x")</script>`},
		latchkey.BrandingSettings{ApplicationName: "<b>Evil</b>"})
	return inbox
}

func serveDevInbox(t *testing.T, h handlerFunc, target string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	w := httptest.NewRecorder()
	// The default header the observe middleware sets, to see it replaced.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	err := h(w, httptest.NewRequest("GET", target, nil))
	return w, err
}

func TestDevInboxJSON(t *testing.T) {
	inbox := devInboxFixture(t)
	h := devInboxJSON(inbox)

	w, err := serveDevInbox(t, h, "/dev/inbox.json")
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	var all listJSON[devMessageJSON]
	if err := json.Unmarshal(w.Body.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	var tos []string
	for _, m := range all.Data {
		tos = append(tos, m.To)
	}
	if diff := cmp.Diff([]string{"eve@example.com", "Bob <bob@example.com>", "ada@example.com"}, tos); diff != "" {
		t.Errorf("not newest first (-want +got):\n%s", diff)
	}
	if all.TotalCount != 3 {
		t.Errorf("total_count = %d", all.TotalCount)
	}

	// The raw wire shape: field names, arrays never null, time in ms.
	var raw struct {
		Data []map[string]any `json:"data"`
	}
	json.Unmarshal(w.Body.Bytes(), &raw)
	want := []string{"codes", "created_at", "data", "html", "id", "kind", "links", "subject", "text", "to"}
	for _, m := range raw.Data {
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if diff := cmp.Diff(want, keys); diff != "" {
			t.Errorf("fields (-want +got):\n%s", diff)
		}
		if _, ok := m["codes"].([]any); !ok {
			t.Errorf("codes = %#v, want an array", m["codes"])
		}
		if _, ok := m["links"].([]any); !ok {
			t.Errorf("links = %#v, want an array", m["links"])
		}
	}

	ada := all.Data[2]
	if diff := cmp.Diff([]string{"482913"}, ada.Codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	if ada.Data["code"] != "482913" || ada.Kind != mail.KindVerificationCode || !strings.HasPrefix(ada.ID, "msg_") {
		t.Errorf("ada's message = %+v", ada)
	}
	stored, _ := inbox.Latest("ada@example.com")
	if ada.CreatedAt != stored.CreatedAt.UnixMilli() || ada.CreatedAt == 0 {
		t.Errorf("created_at = %d, want %d", ada.CreatedAt, stored.CreatedAt.UnixMilli())
	}

	// ?to= filters, without case or display name.
	w, err = serveDevInbox(t, h, "/dev/inbox.json?to=BOB%40Example.com")
	if err != nil {
		t.Fatal(err)
	}
	var bob listJSON[devMessageJSON]
	json.Unmarshal(w.Body.Bytes(), &bob)
	if bob.TotalCount != 1 || len(bob.Data) != 1 {
		t.Fatalf("to=bob: %s", w.Body)
	}
	if diff := cmp.Diff([]string{"https://app.example/v1/verify?token=t1&a=b"}, bob.Data[0].Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if strings.Contains(w.Body.String(), `\u0026`) {
		t.Error("links are HTML-escaped in JSON")
	}

	w, err = serveDevInbox(t, h, "/dev/inbox.json?to=nobody@example.com")
	if err != nil || !strings.Contains(w.Body.String(), `{"data":[],"total_count":0}`) {
		t.Errorf("no match: %s, %v", w.Body, err)
	}
}

func TestDevInboxRejectsUnknownParams(t *testing.T) {
	inbox := devInboxFixture(t)
	for _, h := range []handlerFunc{devInboxJSON(inbox), devInboxHTML(inbox)} {
		for _, target := range []string{"/dev/inbox?email=ada@example.com", "/dev/inbox?to=%00"} {
			_, err := serveDevInbox(t, h, target)
			var e *latchkey.Error
			if !errors.As(err, &e) || (e.Code != latchkey.CodeFormParamUnknown && e.Code != latchkey.CodeFormParamInvalid) {
				t.Errorf("%s: err = %v", target, err)
			}
		}
	}
}

func TestDevInboxHTML(t *testing.T) {
	inbox := devInboxFixture(t)
	w, err := serveDevInbox(t, devInboxHTML(inbox), "/dev/inbox")
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d, type %q", w.Code, w.Header().Get("Content-Type"))
	}
	csp := w.Header().Values("Content-Security-Policy")
	if len(csp) != 1 || !strings.HasPrefix(csp[0], "default-src 'none'; style-src 'unsafe-inline'") || strings.Contains(csp[0], "script") {
		t.Errorf("CSP = %q", csp)
	}
	body := w.Body.String()
	for _, want := range []string{
		"3 messages",
		`<span class="code">482913</span>`,
		`<a href="https://app.example/v1/verify?token=t1&amp;a=b" rel="noreferrer">https://app.example/v1/verify?token=t1&amp;a=b</a>`,
		"To Bob &lt;bob@example.com&gt;",
		"482913 is your Acme verification code",
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;",
		"&lt;b&gt;Evil&lt;/b&gt;",
		"<pre>Acme\n\nYour verification code",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "<b>Evil") {
		t.Errorf("page carries markup from a message:\n%s", body)
	}
	// Newest first: Eve's notice, then Bob's link, then Ada's code.
	eve, bob, ada := strings.Index(body, "To eve@"), strings.Index(body, "To Bob"), strings.Index(body, "To ada@")
	if !(eve >= 0 && eve < bob && bob < ada) {
		t.Errorf("order eve %d, bob %d, ada %d", eve, bob, ada)
	}

	w, err = serveDevInbox(t, devInboxHTML(mail.NewInbox(1)), "/dev/inbox?to=ada@example.com")
	if err != nil || !strings.Contains(w.Body.String(), "No mail yet") || !strings.Contains(w.Body.String(), "0 messages to ada@example.com") {
		t.Errorf("empty inbox: %v\n%s", err, w.Body)
	}
}
