package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Codes and links ("challenges", verifications on the wire) follow NIST SP
// 800-63B rev 4 section 3.1.3 and OWASP ASVS 5.0 V6.6: random from
// crypto/rand, stored only as SHA-256 digests, single-use, expiring after
// ChallengeLifetime, and a code allows CodeMaxAttempts guesses (1 in
// 333,333 odds per code before a new one must be asked for, which the
// per-identifier send limit caps too).
const (
	ChallengeLifetime = 10 * time.Minute
	CodeMaxAttempts   = 3
	codeDigits        = 6
	linkTokenBytes    = 32
)

// Challenge owner types: what a verified challenge moves forward.
const (
	OwnerSignIn     = "sign_in"
	OwnerSignUp     = "sign_up"
	OwnerIdentifier = "identifier"
	OwnerUser       = "user" // sign-in tokens (kind KindTicket)
)

// KindTicket is the challenge kind of a sign-in token minted by the Backend
// API: a one-time link that signs its user in on whatever browser opens it.
const KindTicket = "ticket"

// newCodeChallenge returns a pending code challenge and the 6-digit code to
// send. kind is the strategy (latchkey.VerifyEmailCode,
// latchkey.VerifyResetPasswordCode), ownerType one of the Owner constants,
// ownerID the sign-in's, sign-up's or identifier's ID, target the
// normalized address the code goes to and clientID the client that asked.
// Store it with tx.CreateChallenge (which closes the owner's earlier
// pending challenges of the same kind) and check answers with
// tx.AttemptCode(ctx, c, challengeDigest(code)); attemptError maps the
// result to the catalog.
func newCodeChallenge(kind, ownerType, ownerID, target, clientID string, now time.Time) (*latchkey.Challenge, string) {
	code := newCode()
	return &latchkey.Challenge{
		Kind: kind, OwnerType: ownerType, OwnerID: ownerID, Target: target, ClientID: clientID,
		CodeDigest: challengeDigest(code), MaxAttempts: CodeMaxAttempts, Status: latchkey.ChallengePending,
		ExpireAt: now.Add(ChallengeLifetime),
	}, code
}

// newLinkChallenge returns a pending link challenge and the token to put in
// the link (challengeLink builds the URL). redirectURL, already checked
// against the allow-list by the caller, is where GET /v1/verify sends the
// visitor; empty means the public URL. The landing page finds the
// challenge by the token's digest and dispatches on OwnerType: "sign_up"
// goes to SignUps.CompleteLink.
func newLinkChallenge(kind, ownerType, ownerID, target, clientID, redirectURL string, now time.Time) (*latchkey.Challenge, string) {
	token := newLinkToken()
	return &latchkey.Challenge{
		Kind: kind, OwnerType: ownerType, OwnerID: ownerID, Target: target, ClientID: clientID,
		LinkDigest: challengeDigest(token), MaxAttempts: 1, Status: latchkey.ChallengePending,
		RedirectURL: redirectURL, ExpireAt: now.Add(ChallengeLifetime),
	}, token
}

// challengeLink is the URL a link token is mailed as.
func challengeLink(publicURL, token string) string {
	return strings.TrimSuffix(publicURL, "/") + "/v1/verify?token=" + url.QueryEscape(token)
}

// challengeDigest is how codes and link tokens are stored and compared.
func challengeDigest(secret string) []byte {
	d := sha256.Sum256([]byte(secret))
	return d[:]
}

// newCode returns a uniformly random code of codeDigits decimal digits.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil { // crypto/rand does not fail on supported systems
		panic(fmt.Sprintf("auth: read random: %v", err))
	}
	return fmt.Sprintf("%0*d", codeDigits, n.Int64())
}

// newLinkToken returns linkTokenBytes random bytes, URL-safe base64.
func newLinkToken() string {
	b := make([]byte, linkTokenBytes)
	rand.Read(b) // never returns an error (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// attemptError maps the result of tx.AttemptCode or tx.UseLink to the
// error a person sees (nil for AttemptVerified). c is the challenge after
// the attempt, for the attempts left.
func attemptError(res sqlstore.AttemptResult, c *latchkey.Challenge) error {
	switch res {
	case sqlstore.AttemptVerified:
		return nil
	case sqlstore.AttemptWrong:
		left := c.MaxAttempts - c.Attempts
		plural := "s"
		if left == 1 {
			plural = ""
		}
		return latchkey.Errorf(latchkey.CodeCodeIncorrect, "code", "The code is incorrect. %d attempt%s left.", left, plural)
	case sqlstore.AttemptExhausted:
		return latchkey.Errorf(latchkey.CodeVerificationFailed, "code", "Too many incorrect attempts, or a newer code was sent. Ask for a new code.")
	case sqlstore.AttemptExpired:
		return latchkey.Errorf(latchkey.CodeVerificationExpired, "code", "This code or link expired after %d minutes. Ask for a new one.", int(ChallengeLifetime/time.Minute))
	case sqlstore.AttemptUsed:
		return latchkey.Errorf(latchkey.CodeVerificationUsed, "code", "This code or link was already used.")
	}
	return fmt.Errorf("unknown attempt result %d", res)
}

// errNoChallenge is answered when there is no code or link to check.
func errNoChallenge(strategy string) error {
	return latchkey.Errorf(latchkey.CodeVerificationMissing, "code", "Ask for a code first (prepare with strategy %s).", strategy)
}
