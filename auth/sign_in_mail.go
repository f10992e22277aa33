package auth

import (
	"context"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// mailTimeout bounds one background send.
const mailTimeout = time.Minute

// sendMail sends in the background, so a request that mails a known user
// takes as long as one that mails nobody (enumeration safety), and a slow
// mail server does not hold the request. Failures are logged without the
// data (it holds codes and links).
func (s *SignIns) sendMail(ctx context.Context, kind, to string, data map[string]string) {
	if s.mailer == nil || to == "" {
		return
	}
	s.mail.Add(1)
	go func() {
		defer s.mail.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mailTimeout)
		defer cancel()
		if err := s.mailer.Send(ctx, kind, to, data); err != nil {
			s.log.Error("send sign-in mail", "kind", kind, "err", err)
		}
	}()
}

// WaitMail waits until the mail sent in the background has gone; call it
// at shutdown (and tests call it before reading a mailbox).
func (s *SignIns) WaitMail() { s.mail.Wait() }

// describeDevice names the browser and system of a User-Agent for the
// new-device notice.
func describeDevice(ua string) (browser, os string) {
	d := latchkey.ParseUserAgent(ua)
	return d.Browser, d.OS
}
