package web

import (
	"net/http"
)

// oauthAccessTokenJSON is a user's access token at a provider.
type oauthAccessTokenJSON struct {
	Object    string   `json:"object"`
	Provider  string   `json:"provider"`
	Token     string   `json:"token"`
	ExpiresAt *int64   `json:"expires_at"`
	Scopes    []string `json:"scopes"`
}

// usersOAuthAccessTokens is GET /api/v1/users/{id}/oauth_access_tokens/{provider}:
// the user's access tokens at the provider, refreshed when expired and the
// provider gave a refresh token, for the app's servers to call the
// provider's API as the user.
func (s *Server) usersOAuthAccessTokens(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if s.social == nil {
		return errRouteNotFound(r.URL.Path)
	}
	toks, err := s.social.AccessTokens(r.Context(), id, r.PathValue("provider"))
	if err != nil {
		return notFoundAs(err, "user", id)
	}
	out := make([]oauthAccessTokenJSON, 0, len(toks))
	for _, t := range toks {
		out = append(out, oauthAccessTokenJSON{Object: "oauth_access_token", Provider: t.Provider, Token: t.Token,
			ExpiresAt: optMillis(t.ExpiresAt), Scopes: nonNil(t.Scopes)})
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
	return nil
}
