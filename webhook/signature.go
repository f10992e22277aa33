// Package webhook signs and verifies webhook requests per the Standard
// Webhooks specification (https://www.standardwebhooks.com).
//
// A request carries three headers: webhook-id (the stable event or message
// id, the same on every retry), webhook-timestamp (integer Unix seconds of
// the attempt) and webhook-signature, a space-separated list of versioned
// signatures "v1,<base64 HMAC-SHA256 of id.timestamp.body>". Secrets are
// "whsec_" followed by the standard base64 encoding of 24 to 64 random bytes.
//
// Guarantees: signatures are compared in constant time; a request whose
// timestamp is more than Tolerance away from the verifier's clock is refused
// (replay protection); any one matching "v1" signature is enough, and
// signatures of other versions are ignored, so a sender can add a new scheme
// without breaking receivers. Errors never contain a secret or a signature.
//
// Secret rotation: the package keeps no state. During a rotation the caller
// passes both the new and the old secret to Headers, which then sends one
// signature per secret, so a receiver that still holds the old secret keeps
// verifying. Latchkey keeps the old secret active for 24 hours after a
// rotation; deciding which secrets are active is the caller's job.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// The Standard Webhooks header names (canonical lower case; net/http
// canonicalises them on the wire, and header names are case-insensitive).
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// Secret sizes in bytes: the specification recommends 24 to 64 random bytes.
// NewSecret generates SecretSize bytes.
const (
	SecretSize    = 32
	MinSecretSize = 24
	MaxSecretSize = 64
)

// Tolerance is how far a request's timestamp may be from the verifier's
// clock, in either direction, before Verify refuses it as a possible replay.
const Tolerance = 5 * time.Minute

// signatureVersion is the only scheme this package produces and checks:
// symmetric HMAC-SHA256.
const signatureVersion = "v1"

// Errors returned by Verify when the headers are well formed but the request
// is not authentic or not fresh. Compare with errors.Is.
var (
	ErrNoMatchingSignature = &latchkey.Error{Code: latchkey.CodeFormParamValue,
		Message: latchkey.Messages[latchkey.CodeFormParamValue], Param: HeaderSignature,
		LongMessage: "No webhook signature matches the request with the given secrets."}
	ErrTimestampTooOld = &latchkey.Error{Code: latchkey.CodeFormParamValue,
		Message: latchkey.Messages[latchkey.CodeFormParamValue], Param: HeaderTimestamp,
		LongMessage: "The webhook timestamp is older than the tolerance of 5 minutes."}
	ErrTimestampTooNew = &latchkey.Error{Code: latchkey.CodeFormParamValue,
		Message: latchkey.Messages[latchkey.CodeFormParamValue], Param: HeaderTimestamp,
		LongMessage: "The webhook timestamp is more than 5 minutes in the future."}
)

// NewSecret returns a new signing secret: SecretSize random bytes in the
// "whsec_<base64>" form.
func NewSecret() string {
	key := make([]byte, SecretSize)
	rand.Read(key) // never fails (crypto/rand, Go 1.24+)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// ParseSecret returns the HMAC key of a "whsec_<base64>" secret. A malformed
// secret gives a *latchkey.Error with param "secret"; the error never
// repeats the secret.
func ParseSecret(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, "secret",
			"A webhook secret starts with %q.", SecretPrefix)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(enc)
	if err != nil || strings.ContainsAny(enc, "\r\n") {
		return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, "secret",
			"A webhook secret is %q followed by standard base64 (with padding).", SecretPrefix)
	}
	if len(key) < MinSecretSize || len(key) > MaxSecretSize {
		return nil, latchkey.Errorf(latchkey.CodeFormParamValue, "secret",
			"A webhook secret holds %d to %d bytes; this one holds %d.", MinSecretSize, MaxSecretSize, len(key))
	}
	return key, nil
}

// Sign returns the signature "v1,<base64 HMAC-SHA256 of msgID.timestamp.body>"
// of one message under one secret, with the timestamp in Unix seconds. It
// fails only for a malformed secret (see ParseSecret).
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return "", err
	}
	return signatureVersion + "," + sign(key, msgID, ts.Unix(), body), nil
}

// Headers returns the three Standard Webhooks headers of one delivery
// attempt: webhook-id msgID, webhook-timestamp ts in Unix seconds, and a
// webhook-signature with one "v1" signature per secret, in the order given.
// Pass every active secret: the current one, plus during a rotation the
// previous one (Latchkey keeps it active for 24 hours). At least one secret
// is required.
func Headers(msgID string, ts time.Time, body []byte, secrets ...string) (http.Header, error) {
	if len(secrets) == 0 {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "secret", "Sign a webhook with at least one secret.")
	}
	if msgID == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, HeaderID, "A webhook needs a message id.")
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		sig, err := Sign(s, msgID, ts, body)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks that body and header are an authentic, fresh Standard
// Webhooks request for one of secrets: the timestamp is within Tolerance of
// now, and at least one "v1" signature in webhook-signature matches under at
// least one secret (several secrets serve a receiver during a rotation).
// Signatures of other versions are ignored. Every failure is a
// *latchkey.Error naming the header at fault; ErrNoMatchingSignature,
// ErrTimestampTooOld and ErrTimestampTooNew are returned as they are.
func Verify(secrets []string, header http.Header, body []byte, now time.Time) error {
	if len(secrets) == 0 {
		return latchkey.Errorf(latchkey.CodeFormParamMissing, "secret", "Verify a webhook with at least one secret.")
	}
	keys := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return err
		}
		keys = append(keys, key)
	}
	msgID, ts, sigs, err := parseHeaders(header)
	if err != nil {
		return err
	}
	switch d := now.Unix() - ts; {
	case d > int64(Tolerance/time.Second):
		return ErrTimestampTooOld
	case d < -int64(Tolerance/time.Second):
		return ErrTimestampTooNew
	}
	for _, key := range keys {
		want := []byte(sign(key, msgID, ts, body))
		for _, sig := range sigs {
			if hmac.Equal([]byte(sig), want) {
				return nil
			}
		}
	}
	return ErrNoMatchingSignature
}

// maxTimestampDigits bounds the timestamp header (Unix seconds fit in 11
// digits until the year 5138).
const maxTimestampDigits = 12

// parseHeaders returns the message id, the Unix timestamp and the base64
// parts of the "v1" signatures of a request. A header that appears on
// several lines is read from its first line, except webhook-signature, whose
// lines are joined as one space-separated list.
func parseHeaders(header http.Header) (msgID string, ts int64, sigs []string, err error) {
	msgID = header.Get(HeaderID)
	if msgID == "" {
		return "", 0, nil, latchkey.Errorf(latchkey.CodeFormParamMissing, HeaderID, "The webhook-id header is missing.")
	}
	tsText := header.Get(HeaderTimestamp)
	if tsText == "" {
		return "", 0, nil, latchkey.Errorf(latchkey.CodeFormParamMissing, HeaderTimestamp, "The webhook-timestamp header is missing.")
	}
	if len(tsText) > maxTimestampDigits || strings.Trim(tsText, "0123456789") != "" {
		return "", 0, nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, HeaderTimestamp,
			"The webhook-timestamp header is not an integer number of seconds since the Unix epoch.")
	}
	ts, err = strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return "", 0, nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, HeaderTimestamp,
			"The webhook-timestamp header is not an integer number of seconds since the Unix epoch.")
	}
	lines := header.Values(HeaderSignature)
	if len(lines) == 0 || strings.TrimSpace(strings.Join(lines, "")) == "" {
		return "", 0, nil, latchkey.Errorf(latchkey.CodeFormParamMissing, HeaderSignature, "The webhook-signature header is missing.")
	}
	for _, line := range lines {
		for _, entry := range strings.Fields(line) {
			version, sig, ok := strings.Cut(entry, ",")
			if ok && version == signatureVersion && sig != "" {
				sigs = append(sigs, sig)
			}
		}
	}
	// No v1 signature at all is a mismatch rather than a format error: the
	// header may carry only schemes this package does not implement.
	return msgID, ts, sigs, nil
}

// sign returns the base64 HMAC-SHA256 of "msgID.ts.body" under key.
func sign(key []byte, msgID string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write(strconv.AppendInt(nil, ts, 10))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
