package latchkey

import "time"

// ID prefixes of the Frontend API's records.
const (
	PrefixClient       = "client"
	PrefixSession      = "sess"
	PrefixSignIn       = "sia"
	PrefixSignUp       = "sua"
	PrefixVerification = "ver"
	PrefixAudit        = "aud"
)

// Client is one browser or device. It is identified by an opaque credential
// kept in the __lk_client cookie (or sent by native apps in a header), of
// which only a SHA-256 digest is stored. The credential rotates on every
// sign-in and sign-out; the previous one stays valid for a short grace window
// so concurrent requests do not fail, and using it after that window means it
// was stolen: the whole client is revoked.
type Client struct {
	ID                   string
	TokenDigest          []byte
	PreviousDigest       []byte
	RotatedAt            time.Time
	LastActiveSessionID  string
	SignInID             string // the sign-in attempt in progress, if any
	SignUpID             string // the sign-up attempt in progress, if any
	RevokedAt            time.Time
	CreatedAt, UpdatedAt time.Time
}

// Revoked reports whether the client was revoked.
func (c *Client) Revoked() bool { return !c.RevokedAt.IsZero() }

// Session statuses.
const (
	SessionActive  = "active"
	SessionEnded   = "ended"   // signed out by the user
	SessionRevoked = "revoked" // ended by an admin, by the user from another device, or by reuse detection
	SessionExpired = "expired" // its maximum lifetime or inactivity timeout passed
	SessionRemoved = "removed" // its user was deleted or banned
)

// Session is one signed-in user on one client.
type Session struct {
	ID             string
	ClientID       string
	UserID         string
	Status         string
	FirstFactorAt  time.Time
	SecondFactorAt time.Time
	LastActiveAt   time.Time
	ExpireAt       time.Time // maximum lifetime
	AbandonAt      time.Time // inactivity timeout; zero when off
	IP             string
	UserAgent      string
	City           string
	Country        string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	EndedAt        time.Time
}

// ActiveAt reports whether the session is usable at t.
func (s *Session) ActiveAt(t time.Time) bool {
	if s.Status != SessionActive || !t.Before(s.ExpireAt) {
		return false
	}
	return s.AbandonAt.IsZero() || t.Before(s.AbandonAt)
}

// Sign-in and sign-up statuses.
const (
	SignInNeedsIdentifier   = "needs_identifier"
	SignInNeedsFirstFactor  = "needs_first_factor"
	SignInNeedsSecondFactor = "needs_second_factor"
	SignInNeedsNewPassword  = "needs_new_password"
	SignInComplete          = "complete"
	SignUpMissing           = "missing_requirements"
	SignUpComplete          = "complete"
	SignUpAbandoned         = "abandoned"
)

// SignIn is a resumable sign-in attempt owned by one client.
type SignIn struct {
	ID               string
	ClientID         string
	Status           string
	Identifier       string // as typed
	IdentifierType   IdentifierType
	UserID           string // empty while the identifier is unknown (never revealed)
	Strategy         string // the first factor being used
	FirstFactorAt    time.Time
	ResetVerified    bool // a reset code or link was verified: a new password may be set
	RedirectURL      string
	CreatedSessionID string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ExpireAt         time.Time
}

// SignUp is a resumable sign-up attempt owned by one client.
type SignUp struct {
	ID                   string
	ClientID             string
	Status               string
	EmailAddress         string
	EmailNormalized      string
	EmailVerifiedAt      time.Time
	PhoneNumber          string
	Username             string
	PasswordHash         string
	FirstName            string
	LastName             string
	UnsafeMetadata       []byte
	LegalAcceptedAt      time.Time
	RedirectURL          string
	CreatedUserID        string
	CreatedSessionID     string
	CreatedAt, UpdatedAt time.Time
	ExpireAt             time.Time
	// ExternalProviderID is the provider (OAuthProvider.ID) whose verified
	// identity the sign-up carries: its user is created with that external
	// account and needs no password.
	ExternalProviderID string
}

// Challenge kinds, named as the strategies on the wire.
const (
	VerifyEmailCode         = "email_code"
	VerifyEmailLink         = "email_link"
	VerifyResetPasswordCode = "reset_password_email_code"
	VerifyResetPasswordLink = "reset_password_email_link"
)

// Challenge statuses.
const (
	ChallengePending  = "pending"
	ChallengeFailed   = "failed" // too many attempts
	ChallengeVerified = "verified"
)

// Challenge is one code or link sent to prove control of an identifier (a
// "verification" on the wire).
// Only digests of the code and the link token are stored. A verification is
// single-use and expires; a code allows a few attempts.
type Challenge struct {
	ID          string
	Kind        string
	OwnerType   string // "sign_in", "sign_up" or "identifier"
	OwnerID     string
	Target      string // the normalized email address it was sent to
	ClientID    string // the client that asked; links may require it
	CodeDigest  []byte
	LinkDigest  []byte
	Attempts    int
	MaxAttempts int
	Status      string
	RedirectURL string
	ExpireAt    time.Time
	VerifiedAt  time.Time
	CreatedAt   time.Time
}
