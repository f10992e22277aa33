package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
)

// StrategyPassword is the password first factor.
const StrategyPassword = "password"

// Factor is a first factor a sign-in may continue with.
type Factor struct {
	Strategy string
	// SafeIdentifier is the masked address a code or link goes to
	// ("a***@example.com"), for email strategies.
	SafeIdentifier string
	// EmailAddressID is the user's email address ID, only when enumeration
	// protection is off (with it on, an ID would tell known users apart).
	EmailAddressID string
}

// Statuses of a first-factor verification.
const (
	FactorUnverified = "unverified"
	FactorVerified   = "verified"
	FactorFailed     = "failed"
	FactorExpired    = "expired"
)

// FactorVerification is how far the sign-in's current first factor got.
type FactorVerification struct {
	Status   string
	Strategy string
	Attempts int       // wrong codes so far (codes only)
	ExpireAt time.Time // when the code or link expires; zero for others
}

// SignInView is a sign-in with what a UI needs to continue it. For an
// unknown identifier it is the same as for a known one (no user details).
type SignInView struct {
	SignIn               *latchkey.SignIn
	SupportedIdentifiers []string
	Factors              []Factor
	Verification         *FactorVerification // nil until a factor is prepared or verified
	// Social is the provider step of a sign-in with a provider (strategy
	// oauth_<id>); nil otherwise.
	Social *SocialVerification
}

// View returns the sign-in for rendering in a client, or nil when it no
// longer exists.
func (s *SignIns) View(ctx context.Context, id string) (*SignInView, error) {
	si, err := s.store.SignInByID(ctx, id)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.view(ctx, si, nil)
}

// Get returns a sign-in of the client (GET /v1/client/sign_ins/{id}; a
// browser polls it while a magic link is opened elsewhere).
func (s *SignIns) Get(ctx context.Context, st *ClientState, id string) (*SignInView, error) {
	si, err := s.owned(ctx, st, id)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, si, nil)
}

// owned returns the sign-in if it belongs to the request's client.
func (s *SignIns) owned(ctx context.Context, st *ClientState, id string) (*latchkey.SignIn, error) {
	si, err := s.store.SignInByID(ctx, id)
	if errors.Is(err, latchkey.ErrNotFound) || (err == nil && (st.Client == nil || si.ClientID != st.Client.ID)) {
		return nil, latchkey.Errorf(latchkey.CodeResourceNotFound, "id", "This browser has no sign-in %q.", truncateString(id, 60))
	}
	return si, err
}

// view builds the view of si; c is the sign-in's latest challenge when the
// caller has it (otherwise it is read when the verification needs it).
func (s *SignIns) view(ctx context.Context, si *latchkey.SignIn, c *latchkey.Challenge) (*SignInView, error) {
	set := s.settings()
	v := &SignInView{SignIn: si, SupportedIdentifiers: supportedIdentifiers(set)}
	if si.Status != latchkey.SignInNeedsIdentifier {
		var user *latchkey.User
		if !set.SignIn.EnumerationProtection && si.UserID != "" {
			user = s.userOf(ctx, si)
		}
		v.Factors = signInFactors(set, si, user)
	}
	pending := si.Status == latchkey.SignInNeedsFirstFactor && isChallengeStrategy(si.Strategy)
	if c == nil && pending {
		err := s.store.InTx(ctx, func(tx *sqlstore.Tx) error {
			var err error
			c, err = tx.LatestChallenge(ctx, OwnerSignIn, si.ID)
			return err
		})
		if err != nil && !errors.Is(err, latchkey.ErrNotFound) {
			return nil, err
		}
	}
	v.Verification = verificationOf(si, c, s.now())
	if IsOAuthStrategy(si.Strategy) && s.box != nil {
		sv, err := socialVerification(ctx, s.store, s.box, si.ID, s.now())
		if err != nil {
			return nil, err
		}
		if sv == nil {
			sv = &SocialVerification{Strategy: si.Strategy, Status: SocialUnverified}
		}
		if si.Status == latchkey.SignInComplete {
			sv.Status = SocialVerified
		}
		v.Verification, v.Social = nil, sv
	}
	return v, nil
}

func verificationOf(si *latchkey.SignIn, c *latchkey.Challenge, now time.Time) *FactorVerification {
	if c != nil && c.Kind != si.Strategy {
		c = nil
	}
	v := &FactorVerification{Strategy: si.Strategy}
	if c != nil {
		v.Attempts, v.ExpireAt = c.Attempts, c.ExpireAt
	}
	switch {
	case si.Status == latchkey.SignInComplete || si.ResetVerified || !si.FirstFactorAt.IsZero():
		v.Status = FactorVerified
	case c == nil:
		return nil
	case c.Status == latchkey.ChallengeVerified:
		v.Status = FactorVerified
	case c.Status == latchkey.ChallengeFailed:
		v.Status = FactorFailed
	case !now.Before(c.ExpireAt):
		v.Status = FactorExpired
	default:
		v.Status = FactorUnverified
	}
	return v
}

// supportedIdentifiers lists the identifier types people may sign in with.
func supportedIdentifiers(set *latchkey.Settings) []string {
	var out []string
	if set.EmailAddress.Enabled && set.EmailAddress.UsedForSignIn {
		out = append(out, string(latchkey.IdentifierEmail))
	}
	if set.Username.Enabled && set.Username.UsedForSignIn {
		out = append(out, string(latchkey.IdentifierUsername))
	}
	if set.PhoneNumber.Enabled && set.PhoneNumber.UsedForSignIn {
		out = append(out, string(latchkey.IdentifierPhone))
	}
	return out
}

// signInFactors lists the first factors of a sign-in. They depend only on
// the settings and the kind of identifier typed, never on whether it
// belongs to someone, so they are the same for unknown identifiers. Email
// strategies need an email address as the identifier: offering them for a
// username would need the user's address, which an unknown username lacks.
func signInFactors(set *latchkey.Settings, si *latchkey.SignIn, user *latchkey.User) []Factor {
	var out []Factor
	if set.Password.Enabled {
		out = append(out, Factor{Strategy: StrategyPassword})
	}
	if si.IdentifierType != latchkey.IdentifierEmail || !set.EmailAddress.Enabled {
		return out
	}
	email := Factor{SafeIdentifier: maskEmail(si.Identifier)}
	if user != nil {
		for _, idn := range user.EmailAddresses() {
			if idn.Normalized == strings.ToLower(si.Identifier) {
				email.EmailAddressID = idn.ID
			}
		}
	}
	add := func(on bool, strategy string) {
		if on {
			f := email
			f.Strategy = strategy
			out = append(out, f)
		}
	}
	add(set.SignIn.EmailCode, latchkey.VerifyEmailCode)
	add(set.SignIn.EmailLink, latchkey.VerifyEmailLink)
	add(set.SignIn.EmailCode && set.Password.Enabled, latchkey.VerifyResetPasswordCode)
	add(set.SignIn.EmailLink && set.Password.Enabled, latchkey.VerifyResetPasswordLink)
	return out
}

// offers reports whether strategy is one of the sign-in's factors.
func offers(set *latchkey.Settings, si *latchkey.SignIn, strategy string) bool {
	for _, f := range signInFactors(set, si, nil) {
		if f.Strategy == strategy {
			return true
		}
	}
	return false
}

func isChallengeStrategy(strategy string) bool {
	return isCodeStrategy(strategy) || isLinkStrategy(strategy)
}

func isCodeStrategy(strategy string) bool {
	return strategy == latchkey.VerifyEmailCode || strategy == latchkey.VerifyResetPasswordCode
}

func isLinkStrategy(strategy string) bool {
	return strategy == latchkey.VerifyEmailLink || strategy == latchkey.VerifyResetPasswordLink
}

func isResetStrategy(strategy string) bool {
	return strategy == latchkey.VerifyResetPasswordCode || strategy == latchkey.VerifyResetPasswordLink
}

// maskEmail shows enough of an address for a person to recognise it:
// "ada@example.com" becomes "a***@example.com".
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	r := []rune(local)
	return string(r[0]) + "***@" + domain
}

// identifierKey names a sign-in's identifier in rate-limit keys: a digest,
// so the rate-limit table holds no addresses of people without accounts.
func identifierKey(si *latchkey.SignIn) string {
	d := sha256.Sum256([]byte(string(si.IdentifierType) + ":" + strings.ToLower(si.Identifier)))
	return hex.EncodeToString(d[:16])
}

// userOf returns the user a sign-in is for, or nil when the identifier is
// unknown, or the user was deleted or no longer owns the identifier.
func (s *SignIns) userOf(ctx context.Context, si *latchkey.SignIn) *latchkey.User {
	if si.UserID == "" {
		return nil
	}
	u, err := s.store.UserByID(ctx, si.UserID)
	if err != nil {
		if !errors.Is(err, latchkey.ErrNotFound) {
			s.log.Warn("load sign-in user", "sign_in_id", si.ID, "err", err)
		}
		return nil
	}
	for _, idn := range u.Identifiers {
		if idn.Type == si.IdentifierType && idn.Normalized == strings.ToLower(si.Identifier) {
			return u
		}
	}
	return nil
}

// checkOpen refuses to continue a sign-in that is finished, expired or not
// in the status want.
func checkOpen(si *latchkey.SignIn, now time.Time, want string) error {
	switch {
	case si.Status == latchkey.SignInComplete:
		return latchkey.Errorf(latchkey.CodeSessionExists, "", "This sign-in is already complete.")
	case !now.Before(si.ExpireAt):
		return latchkey.Errorf(latchkey.CodeAttemptExpired, "", "Sign-in attempts expire after %d minutes. Start a new one.", int(SignInLifetime/time.Minute))
	case si.Status == want:
		return nil
	case si.Status == latchkey.SignInNeedsIdentifier:
		return latchkey.Errorf(latchkey.CodeIdentifierRequired, "identifier", "This sign-in has no identifier yet. Start a new sign-in with one.")
	case si.Status == latchkey.SignInNeedsNewPassword:
		return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "Set a new password (reset_password) to finish this sign-in.")
	}
	return latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "", "Verify a password reset code or link first.")
}
