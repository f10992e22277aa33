package web

import (
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

type apiKeyJSON struct {
	Object     string `json:"object"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Prefix     string `json:"prefix"`
	Secret     string `json:"secret,omitempty"` // only in the response that creates it
	Revoked    bool   `json:"revoked"`
	CreatedAt  int64  `json:"created_at"`
	RevokedAt  *int64 `json:"revoked_at"`
	LastUsedAt *int64 `json:"last_used_at"`
}

func newAPIKeyJSON(k *latchkey.APIKey) apiKeyJSON {
	return apiKeyJSON{
		Object: "api_key", ID: k.ID, Name: k.Name, Prefix: k.Prefix, Revoked: k.Revoked(),
		CreatedAt: latchkey.Millis(k.CreatedAt), RevokedAt: optMillis(k.RevokedAt), LastUsedAt: optMillis(k.LastUsedAt),
	}
}

// apiKeysList is GET /api/v1/api_keys.
func (s *Server) apiKeysList(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.store.APIKeys(r.Context())
	if err != nil {
		return err
	}
	out := listJSON[apiKeyJSON]{Data: make([]apiKeyJSON, 0, len(keys)), TotalCount: len(keys)}
	for _, k := range keys {
		out.Data = append(out.Data, newAPIKeyJSON(k))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiKeysCreate is POST /api/v1/api_keys. The secret is in this response
// only; it is stored as a digest.
func (s *Server) apiKeysCreate(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := s.decodeJSON(r, &body, true); err != nil {
		return err
	}
	if utf8.RuneCountInString(body.Name) > 100 {
		return latchkey.Errorf(latchkey.CodeFormParamValue, "name", "name is at most 100 characters.")
	}
	if strings.ContainsFunc(body.Name, unicode.IsControl) {
		return latchkey.Errorf(latchkey.CodeFormParamInvalid, "name", "name cannot contain control characters.")
	}
	secret, key := instance.NewAPIKey(s.instance.Instance(), body.Name)
	if err := s.store.CreateAPIKey(r.Context(), key); err != nil {
		return err
	}
	out := newAPIKeyJSON(key)
	out.Secret = secret
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiKeysRevoke is POST /api/v1/api_keys/{id}/revoke.
func (s *Server) apiKeysRevoke(w http.ResponseWriter, r *http.Request) error {
	var empty struct{}
	if err := s.decodeJSON(r, &empty, true); err != nil {
		return err
	}
	id := r.PathValue("id")
	k, err := s.store.RevokeAPIKey(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "API key", id)
	}
	writeJSON(w, http.StatusOK, newAPIKeyJSON(k))
	return nil
}
