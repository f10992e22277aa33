package mail_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/mail"
)

func plain(to, subject, text string) mail.Message {
	return mail.Message{To: to, Subject: subject, Text: text, Kind: "test"}
}

func TestInboxKeepsNewestFirstAndIsBounded(t *testing.T) {
	in := mail.NewInbox(3)
	for i := 1; i <= 5; i++ {
		if err := in.Send(context.Background(), plain("a@example.com", fmt.Sprint(i), "hello")); err != nil {
			t.Fatal(err)
		}
	}
	var subjects []string
	for _, m := range in.Messages() {
		subjects = append(subjects, m.Subject)
	}
	if diff := cmp.Diff([]string{"5", "4", "3"}, subjects); diff != "" {
		t.Errorf("subjects (-want +got):\n%s", diff)
	}
	if n := len(mail.NewInbox(0).Messages()); n != 0 {
		t.Errorf("new inbox has %d messages", n)
	}
}

func TestInboxDefaultSize(t *testing.T) {
	in := mail.NewInbox(0)
	for i := range mail.DefaultInboxSize + 5 {
		if err := in.Send(context.Background(), plain("a@example.com", fmt.Sprint(i), "x")); err != nil {
			t.Fatal(err)
		}
	}
	ms := in.Messages()
	if len(ms) != mail.DefaultInboxSize || ms[0].Subject != fmt.Sprint(mail.DefaultInboxSize+4) {
		t.Errorf("kept %d, newest %q", len(ms), ms[0].Subject)
	}
}

func TestInboxExtractsCodesAndLinks(t *testing.T) {
	in := mail.NewInbox(10)
	text := "Your code:\n\n    123456\n\nor 654321 654321, not 1234567 nor 12345 nor abc123456 nor 2026.\n" +
		"Open https://app.example/v1/verify?token=abc&n=999999.\n" +
		"(see http://localhost:3000/sign-in) and https://app.example/v1/verify?token=abc&n=999999 again.\n" +
		"javascript:alert(1) ftp://x.example/"
	if err := in.Send(context.Background(), plain("a@example.com", "s", text)); err != nil {
		t.Fatal(err)
	}
	m := in.Messages()[0]
	if diff := cmp.Diff([]string{"123456", "654321"}, m.Codes); diff != "" {
		t.Errorf("codes (-want +got):\n%s", diff)
	}
	want := []string{"https://app.example/v1/verify?token=abc&n=999999", "http://localhost:3000/sign-in"}
	if diff := cmp.Diff(want, m.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(m.ID, "msg_") || m.CreatedAt.IsZero() {
		t.Errorf("ID %q, CreatedAt %v", m.ID, m.CreatedAt)
	}
}

// Every rendered kind yields the code or link of its data, and no other.
func TestInboxFindsRenderedCodesAndLinks(t *testing.T) {
	in := mail.NewInbox(10)
	b := latchkey.BrandingSettings{ApplicationName: "Acme", SupportEmail: "help@acme.example"}
	cases := []struct {
		kind  string
		data  map[string]string
		codes []string
		links []string
	}{
		{mail.KindVerificationCode, map[string]string{"code": "482913"}, []string{"482913"}, nil},
		{mail.KindPasswordResetCode, map[string]string{"code": "000042", "expires_in_minutes": "15"}, []string{"000042"}, nil},
		{mail.KindMagicLink, map[string]string{"link": "https://acme.example/v1/verify?token=tok_123456"}, nil,
			[]string{"https://acme.example/v1/verify?token=tok_123456"}},
		{mail.KindPasswordResetLink, map[string]string{"link": "https://acme.example/reset#t=1"}, nil,
			[]string{"https://acme.example/reset#t=1"}},
		{mail.KindNewDeviceSignIn, map[string]string{"ip": "203.0.113.250", "time": "2026-01-02T03:04:05Z"}, nil, nil},
	}
	for _, c := range cases {
		m, err := mail.Render(c.kind, "en", b, c.data)
		if err != nil {
			t.Fatal(err)
		}
		m.To = "ada@example.com"
		if err := in.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
		got, ok := in.Latest("ADA@example.com")
		if !ok {
			t.Fatal("Latest found nothing")
		}
		// Digits in IPs, times and link tokens are not codes.
		if diff := cmp.Diff(c.codes, got.Codes); diff != "" {
			t.Errorf("%s codes (-want +got):\n%s\n%s", c.kind, diff, got.Text)
		}
		if diff := cmp.Diff(c.links, got.Links); diff != "" {
			t.Errorf("%s links (-want +got):\n%s", c.kind, diff)
		}
		if got.Data["code"] != c.data["code"] || got.Data["link"] != c.data["link"] {
			t.Errorf("%s data = %v", c.kind, got.Data)
		}
	}
}

func TestInboxLatestAndCopies(t *testing.T) {
	in := mail.NewInbox(10)
	ctx := context.Background()
	in.Send(ctx, mail.Message{To: "Ada <ada@example.com>", Subject: "1", Text: "t", Data: map[string]string{"code": "111111"}})
	in.Send(ctx, plain("bob@example.com", "2", "t"))
	m, ok := in.Latest("ada@EXAMPLE.com")
	if !ok || m.Subject != "1" {
		t.Fatalf("Latest = %+v, %v", m, ok)
	}
	if _, ok := in.Latest("carol@example.com"); ok {
		t.Error("Latest found a message for a stranger")
	}
	m.Data["code"] = "999999"
	m.Codes = append(m.Codes[:0], "x")
	again, _ := in.Latest("ada@example.com")
	if again.Data["code"] != "111111" {
		t.Error("Messages returns the stored map, not a copy")
	}
}

func TestInboxRejectsBadMessages(t *testing.T) {
	in := mail.NewInbox(10)
	for _, m := range []mail.Message{
		plain("", "s", "t"), plain("nobody", "s", "t"), plain("a@example.com", "", "t"), plain("a@example.com", "s", ""),
	} {
		if err := in.Send(context.Background(), m); !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("Send(%+v) = %v", m, err)
		}
	}
	if len(in.Messages()) != 0 {
		t.Error("an invalid message was stored")
	}
}

func TestInboxConcurrentSends(t *testing.T) {
	const size, writers, each = 50, 16, 25
	in := mail.NewInbox(size)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for i := range each {
				err := in.Send(context.Background(), plain(fmt.Sprintf("w%d@example.com", w), fmt.Sprint(i), "code 123456"))
				if err != nil {
					t.Error(err)
				}
			}
		}()
		go func() { // readers alongside, for the race detector
			defer wg.Done()
			for range each {
				for _, m := range in.Messages() {
					_ = m.Codes
				}
			}
		}()
	}
	wg.Wait()
	ms := in.Messages()
	if len(ms) != size {
		t.Fatalf("kept %d messages, want %d", len(ms), size)
	}
	ids := map[string]bool{}
	for _, m := range ms {
		if ids[m.ID] {
			t.Errorf("duplicate ID %s", m.ID)
		}
		ids[m.ID] = true
		if !slices.Equal(m.Codes, []string{"123456"}) {
			t.Errorf("codes = %v", m.Codes)
		}
	}
	// Each writer's own messages come out in the order it sent them.
	last := map[string]int{}
	for i := len(ms) - 1; i >= 0; i-- {
		n := 0
		fmt.Sscan(ms[i].Subject, &n)
		if prev, ok := last[ms[i].To]; ok && n <= prev {
			t.Errorf("%s: message %d stored after %d", ms[i].To, n, prev)
		}
		last[ms[i].To] = n
	}
}
