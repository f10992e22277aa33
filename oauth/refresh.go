package oauth

import (
	"context"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/latchkeyhq/latchkey"
)

// Refresh exchanges a refresh token for a fresh access token, for providers
// that allow it. A provider that rotates refresh tokens returns a new one;
// otherwise the given one is kept in the result.
func (p *Provider) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, latchkey.Errorf(latchkey.CodeFormParamMissing, "refresh_token", "The refresh token is missing.")
	}
	def, _, err := p.ready(ctx)
	if err != nil {
		return nil, err
	}
	if !def.Refresh {
		return nil, latchkey.Errorf(latchkey.CodeOAuthProviderError, "", "%s does not issue refresh tokens.", def.Name)
	}
	cfg, err := p.tokenConfig(def, "")
	if err != nil {
		return nil, err
	}
	tok, err := cfg.TokenSource(oidc.ClientContext(ctx, p.client), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, tokenError(err)
	}
	t := tokenOf(tok)
	// A refreshed id_token is not verified here, so it is not handed on as
	// if it were.
	t.IDToken = ""
	if t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return &t, nil
}
