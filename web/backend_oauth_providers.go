package web

import (
	"net/http"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

// oauthProviderJSON is a provider as the Backend API shows it: secrets are
// never sent, only whether they are set.
type oauthProviderJSON struct {
	Object             string                     `json:"object"`
	ID                 string                     `json:"id"`
	Type               string                     `json:"type"`
	Strategy           string                     `json:"strategy"`
	Name               string                     `json:"name"`
	ClientID           string                     `json:"client_id"`
	ClientSecretSet    bool                       `json:"client_secret_set"`
	Scopes             []string                   `json:"scopes"`
	Enabled            bool                       `json:"enabled"`
	TrustVerifiedEmail bool                       `json:"trust_verified_email"`
	Issuer             string                     `json:"issuer"`
	AuthURL            string                     `json:"auth_url"`
	TokenURL           string                     `json:"token_url"`
	UserInfoURL        string                     `json:"userinfo_url"`
	Mapping            latchkey.OAuthFieldMapping `json:"mapping"`
	Tenant             string                     `json:"tenant"`
	AppleTeamID        string                     `json:"apple_team_id"`
	AppleKeyID         string                     `json:"apple_key_id"`
	ApplePrivateKeySet bool                       `json:"apple_private_key_set"`
	ManagedByFile      bool                       `json:"managed_by_file"`
	CreatedAt          int64                      `json:"created_at"`
	UpdatedAt          int64                      `json:"updated_at"`
}

func newOAuthProviderJSON(p *latchkey.OAuthProvider) oauthProviderJSON {
	scopes := p.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return oauthProviderJSON{
		Object: "oauth_provider", ID: p.ID, Type: p.Type, Strategy: "oauth_" + p.ID, Name: p.Name,
		ClientID: p.ClientID, ClientSecretSet: p.ClientSecret != "", Scopes: scopes, Enabled: p.Enabled,
		TrustVerifiedEmail: p.TrustVerifiedEmail, Issuer: p.Issuer, AuthURL: p.AuthURL, TokenURL: p.TokenURL,
		UserInfoURL: p.UserInfoURL, Mapping: p.Mapping, Tenant: p.Tenant, AppleTeamID: p.AppleTeamID,
		AppleKeyID: p.AppleKeyID, ApplePrivateKeySet: p.ApplePrivateKey != "", ManagedByFile: p.ManagedByFile,
		CreatedAt: latchkey.Millis(p.CreatedAt), UpdatedAt: latchkey.Millis(p.UpdatedAt),
	}
}

// oauthProviderParams is the body of POST and PATCH. A field left out is
// the default (POST) or kept (PATCH).
type oauthProviderParams struct {
	Provider           *string                     `json:"provider"`
	Type               *string                     `json:"type"`
	ID                 *string                     `json:"id"`
	Name               *string                     `json:"name"`
	ClientID           *string                     `json:"client_id"`
	ClientSecret       *string                     `json:"client_secret"`
	Scopes             *[]string                   `json:"scopes"`
	Enabled            *bool                       `json:"enabled"`
	TrustVerifiedEmail *bool                       `json:"trust_verified_email"`
	Issuer             *string                     `json:"issuer"`
	AuthURL            *string                     `json:"auth_url"`
	TokenURL           *string                     `json:"token_url"`
	UserInfoURL        *string                     `json:"userinfo_url"`
	Mapping            *latchkey.OAuthFieldMapping `json:"mapping"`
	Tenant             *string                     `json:"tenant"`
	AppleTeamID        *string                     `json:"apple_team_id"`
	AppleKeyID         *string                     `json:"apple_key_id"`
	ApplePrivateKey    *string                     `json:"apple_private_key"`
}

// apply copies the fields that were sent onto p (all but provider, type
// and id, which only POST reads).
func (b *oauthProviderParams) apply(p *latchkey.OAuthProvider) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Name, b.Name)
	set(&p.ClientID, b.ClientID)
	set(&p.ClientSecret, b.ClientSecret)
	set(&p.Issuer, b.Issuer)
	set(&p.AuthURL, b.AuthURL)
	set(&p.TokenURL, b.TokenURL)
	set(&p.UserInfoURL, b.UserInfoURL)
	set(&p.Tenant, b.Tenant)
	set(&p.AppleTeamID, b.AppleTeamID)
	set(&p.AppleKeyID, b.AppleKeyID)
	set(&p.ApplePrivateKey, b.ApplePrivateKey)
	if b.Scopes != nil {
		p.Scopes = *b.Scopes
	}
	if b.Enabled != nil {
		p.Enabled = *b.Enabled
	}
	if b.TrustVerifiedEmail != nil {
		p.TrustVerifiedEmail = *b.TrustVerifiedEmail
	}
	if b.Mapping != nil {
		p.Mapping = *b.Mapping
	}
}

// oauthProvidersList is GET /api/v1/oauth_providers.
func (s *Server) oauthProvidersList(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.store.OAuthProviders(r.Context(), s.box)
	if err != nil {
		return err
	}
	out := listJSON[oauthProviderJSON]{Data: make([]oauthProviderJSON, 0, len(ps)), TotalCount: len(ps)}
	for _, p := range ps {
		out.Data = append(out.Data, newOAuthProviderJSON(p))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// oauthProvidersGet is GET /api/v1/oauth_providers/{id}.
func (s *Server) oauthProvidersGet(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	p, err := s.store.OAuthProviderByID(r.Context(), s.box, id)
	if err != nil {
		return notFoundAs(err, "OAuth provider", id)
	}
	writeJSON(w, http.StatusOK, newOAuthProviderJSON(p))
	return nil
}

// oauthProvidersCreate is POST /api/v1/oauth_providers. A built-in provider
// is named by "provider" ("google"); a custom one by "type" (oidc or oauth2)
// and an "id" of the form custom_<slug>.
func (s *Server) oauthProvidersCreate(w http.ResponseWriter, r *http.Request) error {
	var body oauthProviderParams
	if err := s.decodeJSON(r, &body, false); err != nil {
		return err
	}
	typ, err := body.providerType()
	if err != nil {
		return err
	}
	p := instance.NewOAuthProvider(typ)
	if body.ID != nil {
		p.ID = *body.ID
	}
	if p.Name == "" || typ == latchkey.OAuthOIDC || typ == latchkey.OAuthOAuth2 {
		p.Name = p.ID // a custom provider is called by its ID until named
	}
	body.apply(p)
	if err := instance.ValidateOAuthProvider(p, s.dev); err != nil {
		return err
	}
	if err := s.store.CreateOAuthProvider(r.Context(), s.box, p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newOAuthProviderJSON(p))
	return nil
}

// providerType reads the type from "provider" or "type" (which must agree
// when both are sent).
func (b *oauthProviderParams) providerType() (string, error) {
	switch {
	case b.Provider == nil && b.Type == nil:
		return "", latchkey.Errorf(latchkey.CodeFormParamMissing, "provider", "Name the provider (google, github, ...) or, for a custom one, its type (oidc or oauth2).")
	case b.Provider != nil && b.Type != nil && *b.Provider != *b.Type:
		return "", latchkey.Errorf(latchkey.CodeFormParamValue, "type", "provider and type disagree; send one of them.")
	case b.Type != nil:
		return *b.Type, nil
	}
	return *b.Provider, nil
}

// oauthProvidersUpdate is PATCH /api/v1/oauth_providers/{id}: the fields
// sent replace the stored ones; client_secret is replaced only when sent.
func (s *Server) oauthProvidersUpdate(w http.ResponseWriter, r *http.Request) error {
	var body oauthProviderParams
	if err := s.decodeJSON(r, &body, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	for _, f := range []struct {
		param string
		v     *string
	}{{"provider", body.Provider}, {"type", body.Type}, {"id", body.ID}} {
		if f.v != nil {
			return latchkey.Errorf(latchkey.CodeFormParamValue, f.param, "%s cannot change; delete the provider and create it again.", f.param)
		}
	}
	p, err := s.store.UpdateOAuthProvider(r.Context(), s.box, id, func(p *latchkey.OAuthProvider) error {
		body.apply(p)
		return instance.ValidateOAuthProvider(p, s.dev)
	})
	if err != nil {
		return notFoundAs(err, "OAuth provider", id)
	}
	writeJSON(w, http.StatusOK, newOAuthProviderJSON(p))
	return nil
}

// oauthProvidersDelete is DELETE /api/v1/oauth_providers/{id}.
func (s *Server) oauthProvidersDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := s.store.DeleteOAuthProvider(r.Context(), id); err != nil {
		return notFoundAs(err, "OAuth provider", id)
	}
	writeJSON(w, http.StatusOK, deletedJSON{Object: "oauth_provider", ID: id, Deleted: true})
	return nil
}
