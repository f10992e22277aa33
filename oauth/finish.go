package oauth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/latchkeyhq/latchkey"
)

// FinishParams are what the caller stored at Start and received at the
// callback.
type FinishParams struct {
	RedirectURI  string // exactly the one given to Start
	Code         string // from ParseCallback
	CodeVerifier string // Start.CodeVerifier
	Nonce        string // Start.Nonce (OIDC providers)
	AppleUser    string // Apple's "user" form field, on first authorization
}

// Result is the outcome of a completed flow.
type Result struct {
	Profile Profile
	Token   Token
}

// Token is what the provider's token endpoint issued. Its String and
// LogValue hide the secrets.
type Token struct {
	AccessToken  string
	RefreshToken string
	Expiry       time.Time // zero when the provider did not say
	Scopes       []string  // as granted, when the provider said
	IDToken      string
}

func (t Token) String() string {
	return fmt.Sprintf("oauth.Token{expiry: %s, scopes: %v, refresh: %t}", t.Expiry.Format(time.RFC3339), t.Scopes, t.RefreshToken != "")
}

// LogValue implements slog.LogValuer without the secrets.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.Time("expiry", t.Expiry), slog.Any("scopes", t.Scopes), slog.Bool("refresh", t.RefreshToken != ""))
}

// Finish exchanges the authorization code (with the PKCE verifier), verifies
// the id_token of an OpenID Connect provider, and reads the person's
// profile. A profile without email is still a Result: whether that is
// acceptable (oauth_email_missing) is the caller's decision.
func (p *Provider) Finish(ctx context.Context, fp FinishParams) (*Result, error) {
	if err := checkRedirectURI(fp.RedirectURI); err != nil {
		return nil, err
	}
	if fp.Code == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "code", "The authorization code is missing.")
	}
	if fp.CodeVerifier == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "code_verifier", "The PKCE code verifier is missing.")
	}
	def, verifier, err := p.ready(ctx)
	if err != nil {
		return nil, err
	}
	if def.Kind == KindOIDC && fp.Nonce == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "nonce", "The nonce is missing.")
	}
	firstName, lastName, err := appleUser(fp.AppleUser)
	if err != nil {
		return nil, err
	}
	cfg, err := p.tokenConfig(def, fp.RedirectURI)
	if err != nil {
		return nil, err
	}
	octx := oidc.ClientContext(ctx, p.client)
	tok, err := cfg.Exchange(octx, fp.Code, oauth2.VerifierOption(fp.CodeVerifier))
	if err != nil {
		return nil, tokenError(err)
	}
	res := &Result{Token: tokenOf(tok)}
	if res.Token.AccessToken == "" {
		return nil, latchkey.Errorf(latchkey.CodeOAuthTokenExchange, "", "The provider issued no access token.")
	}

	src := profileSource{token: res.Token.AccessToken, userinfoURL: def.UserInfoURL}
	if def.Kind == KindOIDC {
		if src.claims, err = p.verifyIDToken(ctx, def, verifier, res.Token.IDToken, fp.Nonce); err != nil {
			return nil, err
		}
	}
	if def.UserInfoURL != "" {
		if src.userinfo, err = p.getJSON(ctx, def.UserInfoURL, res.Token.AccessToken); err != nil {
			return nil, err
		}
		if def.Kind == KindOIDC {
			if sub := lookupString(src.userinfo, "sub"); sub != asString(src.claims["sub"]) {
				return nil, latchkey.Errorf(latchkey.CodeOAuthIDTokenInvalid, "", "The provider's userinfo describes a different subject than its id_token.")
			}
		}
	}
	prof, err := def.profile(ctx, p, src)
	if err != nil {
		return nil, err
	}
	if prof.FirstName == "" && prof.LastName == "" {
		prof.FirstName, prof.LastName = firstName, lastName
	}
	prof = finishProfile(prof)
	if prof.ProviderUserID == "" {
		return nil, providerError("The provider did not say who the user is.", nil)
	}
	res.Profile = prof
	return res, nil
}

// tokenConfig is the oauth2 configuration for a token request, with Apple's
// freshly minted client secret.
func (p *Provider) tokenConfig(def Definition, redirectURI string) (*oauth2.Config, error) {
	secret := ""
	if def.Type == latchkey.OAuthApple {
		s, err := p.appleClientSecret()
		if err != nil {
			e := latchkey.NewError(latchkey.CodeInternal, "")
			e.Cause = fmt.Errorf("mint apple client secret: %w", err)
			return nil, e
		}
		secret = s
	}
	return p.oauth2Config(def, redirectURI, secret), nil
}

// verifyIDToken checks an id_token's signature, issuer, audience, expiry and
// nonce, and returns its claims.
func (p *Provider) verifyIDToken(ctx context.Context, def Definition, verifier *oidc.IDTokenVerifier, raw, nonce string) (map[string]any, error) {
	invalid := func(long string, cause error) error {
		e := latchkey.Errorf(latchkey.CodeOAuthIDTokenInvalid, "", "%s", long)
		e.Cause = cause
		return e
	}
	if raw == "" {
		return nil, invalid("The provider issued no id_token.", nil)
	}
	idt, err := verifier.Verify(oidc.ClientContext(ctx, p.client), raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return nil, invalid("The id_token has expired.", err)
		}
		return nil, invalid("The id_token could not be verified.", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, invalid("The id_token's nonce is not the one sent.", nil)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, invalid("The id_token's claims could not be read.", err)
	}
	// Several audiences are allowed only with azp naming this client.
	if len(idt.Audience) > 1 && asString(claims["azp"]) != p.cfg.ClientID {
		return nil, invalid("The id_token is for several audiences and not authorized for this client.", nil)
	}
	if idt.Subject == "" {
		return nil, invalid("The id_token has no subject.", nil)
	}
	if strings.Contains(def.Issuer, "{tenantid}") {
		if err := checkMicrosoftIssuer(def.Issuer, p.tenant(), claims); err != nil {
			return nil, err
		}
	}
	return claims, nil
}

// tenant is the configured Microsoft tenant.
func (p *Provider) tenant() string {
	if p.cfg.Tenant == "" {
		return MicrosoftCommon
	}
	return strings.ToLower(p.cfg.Tenant)
}

// checkMicrosoftIssuer checks a Microsoft id_token's issuer: it must be the
// issuer template with the token's own tid, and that tenant must be one the
// configuration accepts (any, only work accounts, only personal accounts, or
// exactly the configured tenant).
func checkMicrosoftIssuer(template, tenant string, claims map[string]any) error {
	invalid := func(long string) error {
		return latchkey.Errorf(latchkey.CodeOAuthIDTokenInvalid, "", "%s", long)
	}
	tid := strings.ToLower(asString(claims["tid"]))
	if !tenantRE.MatchString(tid) {
		return invalid("The id_token has no valid tid claim.")
	}
	if asString(claims["iss"]) != strings.ReplaceAll(template, "{tenantid}", tid) {
		return invalid("The id_token's issuer does not match its tenant.")
	}
	switch tenant {
	case MicrosoftCommon:
		return nil
	case MicrosoftOrganizations:
		if tid == microsoftConsumersTenantID {
			return invalid("Personal Microsoft accounts are not allowed.")
		}
	case MicrosoftConsumers:
		if tid != microsoftConsumersTenantID {
			return invalid("Only personal Microsoft accounts are allowed.")
		}
	default:
		if tid != tenant {
			return invalid("The id_token is from another tenant.")
		}
	}
	return nil
}

// tokenOf copies an oauth2 token.
func tokenOf(tok *oauth2.Token) Token {
	t := Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: tok.Expiry}
	if s, ok := tok.Extra("scope").(string); ok {
		t.Scopes = scopeList(s)
	}
	if s, ok := tok.Extra("id_token").(string); ok {
		t.IDToken = s
	}
	return t
}

// tokenError maps a token endpoint failure to oauth_token_exchange_failed.
// The cause keeps the status and the OAuth error code, not the body.
func tokenError(err error) error {
	e := latchkey.Errorf(latchkey.CodeOAuthTokenExchange, "", "The provider's token endpoint could not be reached.")
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		name := sanitizeErrorCode(re.ErrorCode)
		if re.ErrorCode == "" {
			name = "no error code"
		}
		e.LongMessage = "The provider's token endpoint answered " + name + "."
		e.Cause = fmt.Errorf("token endpoint: status %d, error %q", status, name)
		return e
	}
	e.Cause = err
	return e
}
