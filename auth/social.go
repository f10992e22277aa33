package auth

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/oauth"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/wire"
)

// Social runs social sign-in: sign-ins and sign-ups with a provider, the
// provider's callback (account linking and transfers between sign-in and
// sign-up), connected accounts and provider access tokens. The protocol is
// package oauth's; every session it starts goes through Sessions.startSession.
//
// Security properties: the state of every redirect is single-use, expires,
// and is bound to the sign-in, sign-up or user it was made for and to the
// browser client that asked; an external identity is linked to an existing
// user automatically only when the provider asserts the email address is
// verified, the instance trusts that provider for it, and the user's
// address is verified too. Provider tokens are stored sealed.
type Social struct {
	store     *sqlstore.Store
	box       *seal.Box
	sessions  *Sessions
	signIns   *SignIns
	signUps   *SignUps
	settings  func() *latchkey.Settings
	publicURL string
	dev       bool
	opts      oauth.Options
	log       *slog.Logger

	mu    sync.Mutex
	cache map[string]cachedProvider
}

type cachedProvider struct {
	updated time.Time
	p       *oauth.Provider
}

// TestIdPPath is where the development test provider is served (dev mode
// only), under the public URL.
const TestIdPPath = "/dev/test_idp"

// CallbackPath is the one redirect URI of every provider, under the public
// URL.
const CallbackPath = "/v1/oauth_callback"

// StrategyOAuthPrefix prefixes the strategy of every provider:
// "oauth_<provider id>".
const StrategyOAuthPrefix = wire.StrategyOAuthPrefix

// RecentSignIn is how recent a session's first factor must be to connect a
// provider.
const RecentSignIn = 10 * time.Minute

// Status values of a social verification.
const (
	SocialUnverified   = "unverified"
	SocialTransferable = "transferable"
	SocialVerified     = wire.ExternalVerified
	SocialExpired      = "expired"
)

// NewSocial returns the social sign-in service. opts are passed to every
// provider (tests point providers at loopback servers with them); dev
// enables the test provider without configuration. It shares the sealing
// box with signUps, which creates external accounts as sign-ups complete.
func NewSocial(store *sqlstore.Store, box *seal.Box, sessions *Sessions, signIns *SignIns, signUps *SignUps,
	settings func() *latchkey.Settings, publicURL string, dev bool, opts oauth.Options, log *slog.Logger) *Social {
	publicURL = strings.TrimRight(publicURL, "/")
	if opts.TestIdPBaseURL == "" {
		opts.TestIdPBaseURL = publicURL + TestIdPPath
	}
	signUps.box, signIns.box = box, box
	return &Social{store: store, box: box, sessions: sessions, signIns: signIns, signUps: signUps, settings: settings,
		publicURL: publicURL, dev: dev, opts: opts, log: log, cache: map[string]cachedProvider{}}
}

// CallbackURL is the redirect URI given to providers.
func (s *Social) CallbackURL() string { return s.publicURL + CallbackPath }

// IsOAuthStrategy reports whether strategy names a provider.
func IsOAuthStrategy(strategy string) bool {
	return strings.HasPrefix(strategy, StrategyOAuthPrefix) && len(strategy) > len(StrategyOAuthPrefix)
}

// devTestIdP is the test provider as dev mode offers it without
// configuration.
func devTestIdP() *latchkey.OAuthProvider {
	return &latchkey.OAuthProvider{ID: latchkey.OAuthTestIdP, Type: latchkey.OAuthTestIdP, Name: "Latchkey Test IdP",
		ClientID: "latchkey_test", ClientSecret: "latchkey_test", Enabled: true, TrustVerifiedEmail: true, Scopes: []string{}}
}

// Providers returns the enabled providers, in the order of the
// configuration; in dev mode the test provider is always among them.
func (s *Social) Providers(ctx context.Context) ([]*latchkey.OAuthProvider, error) {
	all, err := s.store.EnabledOAuthProviders(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*latchkey.OAuthProvider, 0, len(all)+1)
	test := false
	for _, p := range all {
		if p.Type == latchkey.OAuthTestIdP {
			if !s.dev {
				continue
			}
			test = true
		}
		out = append(out, p)
	}
	if s.dev && !test {
		if _, err := s.store.OAuthProviderByID(ctx, s.box, latchkey.OAuthTestIdP); errors.Is(err, latchkey.ErrNotFound) {
			out = append(out, devTestIdP())
		}
	}
	return out, nil
}

// provider returns the enabled provider with this ID, ready to use, or
// strategy_not_allowed.
func (s *Social) provider(ctx context.Context, id string) (*latchkey.OAuthProvider, *oauth.Provider, error) {
	notAllowed := latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "%s%s is not an enabled sign-in provider.", StrategyOAuthPrefix, truncateString(id, 60))
	if id == "" || len(id) > 64 {
		return nil, nil, notAllowed
	}
	cfg, err := s.store.OAuthProviderByID(ctx, s.box, id)
	switch {
	case errors.Is(err, latchkey.ErrNotFound) && s.dev && id == latchkey.OAuthTestIdP:
		cfg = devTestIdP()
	case errors.Is(err, latchkey.ErrNotFound):
		return nil, nil, notAllowed
	case err != nil:
		return nil, nil, err
	}
	if !cfg.Enabled || (cfg.Type == latchkey.OAuthTestIdP && !s.dev) {
		return nil, nil, notAllowed
	}
	if cfg.Type == latchkey.OAuthTestIdP {
		// The test provider takes any client credentials; configured
		// without them, it uses the built-in ones.
		def := devTestIdP()
		if cfg.ClientID == "" {
			cfg.ClientID = def.ClientID
		}
		if cfg.ClientSecret == "" {
			cfg.ClientSecret = def.ClientSecret
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cache[id]; ok && c.updated.Equal(cfg.UpdatedAt) {
		return cfg, c.p, nil
	}
	p, err := oauth.New(*cfg, s.opts)
	if err != nil {
		var e *latchkey.Error
		if errors.As(err, &e) {
			// A configuration the operator must fix; the person sees the
			// provider as unusable.
			s.log.Warn("oauth provider unusable", "provider", id, "code", e.Code, "param", e.Param)
			return nil, nil, notAllowed
		}
		return nil, nil, err
	}
	s.cache[id] = cachedProvider{updated: cfg.UpdatedAt, p: p}
	return cfg, p, nil
}

// providerOfStrategy is provider for "oauth_<id>".
func (s *Social) providerOfStrategy(ctx context.Context, strategy string) (*latchkey.OAuthProvider, *oauth.Provider, error) {
	if !IsOAuthStrategy(strategy) {
		return nil, nil, latchkey.Errorf(latchkey.CodeStrategyNotAllowed, "strategy", "The strategy must be oauth_ followed by a provider.")
	}
	return s.provider(ctx, strings.TrimPrefix(strategy, StrategyOAuthPrefix))
}

// newAttempt starts the redirect to the provider and stores the attempt;
// it returns the provider's authorization URL.
func (s *Social) newAttempt(ctx context.Context, p *oauth.Provider, a *sqlstore.OAuthAttempt) (string, error) {
	start, err := p.Start(ctx, s.CallbackURL())
	if err != nil {
		return "", err
	}
	a.StateDigest, a.CodeVerifier, a.Nonce = sqlstore.OAuthStateDigest(start.State), start.CodeVerifier, start.Nonce
	if err := s.store.CreateOAuthAttempt(ctx, s.box, a); err != nil {
		return "", err
	}
	return start.URL, nil
}

// accountOf is the external account a provider's answer describes.
func accountOf(providerID string, res *oauth.Result) latchkey.ExternalAccount {
	p := res.Profile
	return latchkey.ExternalAccount{
		ProviderID: providerID, ProviderUserID: p.ProviderUserID, EmailAddress: p.Email, EmailVerified: p.EmailVerified,
		FirstName: clipRunes(p.FirstName, 100), LastName: clipRunes(p.LastName, 100), Username: clipRunes(p.Username, 100),
		AvatarURL:   clipRunes(p.AvatarURL, 2048),
		AccessToken: res.Token.AccessToken, RefreshToken: res.Token.RefreshToken, TokenExpiry: res.Token.Expiry, Scopes: res.Token.Scopes,
	}
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// SocialVerification is the state of the provider step of a sign-in or
// sign-up.
type SocialVerification struct {
	Status   string
	Strategy string
	// RedirectURL is the provider's authorization URL; set only in the
	// answer that started the redirect (it carries the state, which is
	// never stored).
	RedirectURL string
	ExpireAt    time.Time
}

// socialVerification describes the provider step of the sign-in or sign-up,
// or nil when it has none.
func socialVerification(ctx context.Context, store *sqlstore.Store, box *seal.Box, ownerID string, now time.Time) (*SocialVerification, error) {
	p, err := store.OAuthPendingByOwner(ctx, box, ownerID)
	if errors.Is(err, latchkey.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	v := &SocialVerification{Status: p.Status, Strategy: StrategyOAuthPrefix + p.ProviderID, ExpireAt: p.CreatedAt.Add(sqlstore.OAuthAttemptLifetime)}
	if v.Status == SocialUnverified && !now.Before(v.ExpireAt) {
		v.Status = SocialExpired
	}
	return v, nil
}
