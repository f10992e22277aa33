package oauth

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/latchkeyhq/latchkey"
)

// maxResponseBytes bounds what is read from a provider's API.
const maxResponseBytes = 1 << 20

// statusError is a provider API's answer other than 200 OK.
type statusError struct{ status int }

func (e statusError) Error() string { return fmt.Sprintf("status %d", e.status) }

// getJSON calls a provider API with the access token and decodes its JSON
// answer. Failures are oauth_provider_error (with a statusError cause when
// the API answered with another status); the token never appears in them.
func (p *Provider) getJSON(ctx context.Context, url, accessToken string) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, providerError("The provider's user API address is not valid.", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	// GitHub refuses API calls without a User-Agent.
	req.Header.Set("User-Agent", "Latchkey")
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, providerError("The provider's user API could not be reached.", fmt.Errorf("get %s: %w", req.URL.Redacted(), err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, providerError("The provider's user API answer could not be read.", err)
	}
	if len(body) > maxResponseBytes {
		return nil, providerError("The provider's user API answer is too large.", nil)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, providerError(fmt.Sprintf("The provider's user API answered with status %d.", resp.StatusCode), statusError{resp.StatusCode})
	}
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, providerError("The provider's user API did not answer with JSON.", err)
	}
	return doc, nil
}

func providerError(long string, cause error) *latchkey.Error {
	e := latchkey.Errorf(latchkey.CodeOAuthProviderError, "", "%s", long)
	e.Cause = cause
	return e
}
