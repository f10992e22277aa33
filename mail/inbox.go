package mail

import (
	"context"
	"fmt"
	"maps"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// DefaultInboxSize is how many messages an Inbox keeps unless told otherwise.
const DefaultInboxSize = 200

// PrefixMessage prefixes the IDs of messages in an Inbox.
const PrefixMessage = "msg"

// Inbox is the development Sender: it keeps the latest messages in memory,
// dropping the oldest beyond its size, so people and tests can finish
// flows without a mail server. It is safe for concurrent use. It is for
// dev mode only: it holds codes and links in the clear.
type Inbox struct {
	mu   sync.Mutex
	buf  []Message // ring buffer; next is where the next message goes
	next int
	full bool
}

// NewInbox returns an inbox keeping the last size messages (DefaultInboxSize
// when size < 1).
func NewInbox(size int) *Inbox {
	if size < 1 {
		size = DefaultInboxSize
	}
	return &Inbox{buf: make([]Message, size)}
}

// Send stores a copy of m with an ID and the codes and links found in its
// text. CreatedAt is set to now when zero.
func (in *Inbox) Send(ctx context.Context, m Message) error {
	if err := check(m); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	m.ID = latchkey.NewID(PrefixMessage)
	m.Codes = extractCodes(m.Text)
	m.Links = extractLinks(m.Text)
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now()
	}
	m.Data = maps.Clone(m.Data)

	in.mu.Lock()
	in.buf[in.next] = m
	in.next++
	if in.next == len(in.buf) {
		in.next, in.full = 0, true
	}
	in.mu.Unlock()
	return nil
}

// Messages returns the stored messages, newest first. The slice and the
// messages' maps and slices are copies the caller may keep.
func (in *Inbox) Messages() []Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := in.next
	if in.full {
		n = len(in.buf)
	}
	out := make([]Message, 0, n)
	for i := 1; i <= n; i++ {
		m := in.buf[(in.next-i+len(in.buf))%len(in.buf)]
		m.Data = maps.Clone(m.Data)
		m.Codes = append([]string(nil), m.Codes...)
		m.Links = append([]string(nil), m.Links...)
		out = append(out, m)
	}
	return out
}

// Latest returns the newest message to the address to (compared without
// case and display name), for tests that need the code or link just sent.
func (in *Inbox) Latest(to string) (Message, bool) {
	for _, m := range in.Messages() {
		if SameAddress(m.To, to) {
			return m, true
		}
	}
	return Message{}, false
}

// SameAddress reports whether two recipients name the same mailbox,
// ignoring display names and case. Addresses that do not parse are compared
// as trimmed text.
func SameAddress(a, b string) bool {
	return strings.EqualFold(bareAddress(a), bareAddress(b))
}

func bareAddress(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		return a.Address
	}
	return strings.TrimSpace(s)
}

var (
	// A code is a run of exactly six digits not inside a longer word or
	// number, the shape of every code Latchkey sends.
	codeInText = regexp.MustCompile(`(?:^|[^0-9A-Za-z])([0-9]{6})(?:$|[^0-9A-Za-z])`)
	linkInText = regexp.MustCompile(`https?://[^\s<>"'` + "`" + `]+`)
)

func extractCodes(text string) []string {
	var out []string
	seen := map[string]bool{}
	// Digits inside a link are part of the link, not a code.
	text = linkInText.ReplaceAllString(text, " ")
	// FindAll would miss the second of "123456 654321": the space between
	// them belongs to the first match. So search again from each code's end.
	for rest := text; ; {
		loc := codeInText.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		c := rest[loc[2]:loc[3]]
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
		rest = rest[loc[3]:]
	}
	return out
}

func extractLinks(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkInText.FindAllString(text, -1) {
		// Sentence punctuation after a link is not part of it.
		l = strings.TrimRight(l, ".,;:!?)]}")
		if len(l) > len("https://") && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
