package instance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/latchkeyhq/latchkey"
)

// FileOAuthProvider is one [oauth_providers.<id>] table of the settings
// file. Secrets come inline, or better from an environment variable (the
// _env keys) or, for the Apple key, a file, so the settings file itself can
// be committed.
type FileOAuthProvider struct {
	ID                  string                      `json:"-"`
	Type                string                      `json:"type"` // default: the table's name (built-in providers)
	Name                string                      `json:"name"`
	ClientID            string                      `json:"client_id"`
	ClientSecret        string                      `json:"client_secret"`
	ClientSecretEnv     string                      `json:"client_secret_env"`
	Scopes              []string                    `json:"scopes"`
	Enabled             *bool                       `json:"enabled"` // default true
	TrustVerifiedEmail  *bool                       `json:"trust_verified_email"`
	Issuer              string                      `json:"issuer"`
	AuthURL             string                      `json:"auth_url"`
	TokenURL            string                      `json:"token_url"`
	UserInfoURL         string                      `json:"userinfo_url"`
	Mapping             *latchkey.OAuthFieldMapping `json:"mapping"`
	Tenant              string                      `json:"tenant"`
	AppleTeamID         string                      `json:"apple_team_id"`
	AppleKeyID          string                      `json:"apple_key_id"`
	ApplePrivateKey     string                      `json:"apple_private_key"`
	ApplePrivateKeyEnv  string                      `json:"apple_private_key_env"`
	ApplePrivateKeyFile string                      `json:"apple_private_key_file"`
}

// takeOAuthProviders removes the oauth_providers table from a decoded
// settings file and parses it strictly (unknown keys and wrong types are
// errors naming the key), sorted by ID.
func takeOAuthProviders(doc map[string]any) ([]FileOAuthProvider, error) {
	raw, ok := doc["oauth_providers"]
	if !ok {
		return nil, nil
	}
	delete(doc, "oauth_providers")
	tables, ok := raw.(map[string]any)
	if !ok {
		return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, "oauth_providers", "oauth_providers is a table of providers by ID, such as [oauth_providers.google].")
	}
	ids := make([]string, 0, len(tables))
	for id := range tables {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]FileOAuthProvider, 0, len(ids))
	for _, id := range ids {
		param := "oauth_providers." + id
		b, err := json.Marshal(tables[id])
		if err != nil {
			return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "The provider's settings cannot be read.")
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var p FileOAuthProvider
		if err := dec.Decode(&p); err != nil {
			return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "%s", describeJSONError(err))
		}
		if _, isTable := tables[id].(map[string]any); !isTable {
			return nil, latchkey.Errorf(latchkey.CodeFormParamInvalid, param, "Each provider is a table of settings.")
		}
		p.ID = id
		out = append(out, p)
	}
	return out, nil
}

// describeJSONError says which key was wrong, without echoing values.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("%s has the wrong type (want %s).", typeErr.Field, typeErr.Type)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "There is no provider setting named " + msg + "."
	}
	return "The provider's settings are not valid."
}

// OAuthProviders returns the providers the file declares, with their secrets
// read from the environment (getenv) or files, checked as the Backend API
// checks them. Errors name the file and the key.
func (f *File) OAuthProviders(getenv func(string) string, dev bool) ([]*latchkey.OAuthProvider, error) {
	if f == nil {
		return nil, nil
	}
	out := make([]*latchkey.OAuthProvider, 0, len(f.OAuthProviderTables))
	for _, fp := range f.OAuthProviderTables {
		p, err := fp.provider(filepath.Dir(f.Path), getenv, dev)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", f.Path, describe(err))
		}
		out = append(out, p)
	}
	return out, nil
}

func (fp FileOAuthProvider) provider(dir string, getenv func(string) string, dev bool) (*latchkey.OAuthProvider, error) {
	param := "oauth_providers." + fp.ID
	typ := fp.Type
	if typ == "" {
		typ = fp.ID
	}
	p := NewOAuthProvider(typ)
	p.ID = fp.ID
	if fp.Name != "" {
		p.Name = fp.Name
	}
	if p.Name == "" {
		p.Name = fp.ID
	}
	if fp.Enabled != nil {
		p.Enabled = *fp.Enabled
	}
	if fp.TrustVerifiedEmail != nil {
		p.TrustVerifiedEmail = *fp.TrustVerifiedEmail
	}
	if fp.Scopes != nil {
		p.Scopes = fp.Scopes
	}
	if fp.Mapping != nil {
		p.Mapping = *fp.Mapping
	}
	p.ClientID, p.Issuer, p.AuthURL, p.TokenURL, p.UserInfoURL = fp.ClientID, fp.Issuer, fp.AuthURL, fp.TokenURL, fp.UserInfoURL
	p.Tenant, p.AppleTeamID, p.AppleKeyID = fp.Tenant, fp.AppleTeamID, fp.AppleKeyID

	var err error
	if p.ClientSecret, err = fileSecret(param, "client_secret", fp.ClientSecret, fp.ClientSecretEnv, "", getenv); err != nil {
		return nil, err
	}
	keyFile := fp.ApplePrivateKeyFile
	if keyFile != "" && !filepath.IsAbs(keyFile) {
		keyFile = filepath.Join(dir, keyFile) // relative to the settings file
	}
	if p.ApplePrivateKey, err = fileSecret(param, "apple_private_key", fp.ApplePrivateKey, fp.ApplePrivateKeyEnv, keyFile, getenv); err != nil {
		return nil, err
	}
	if err := ValidateOAuthProvider(p, dev); err != nil {
		var e *latchkey.Error
		if errors.As(err, &e) {
			return nil, latchkey.Errorf(e.Code, param+"."+e.Param, "%s", e.LongMessage)
		}
		return nil, err
	}
	return p, nil
}

// fileSecret reads a secret given inline, by environment variable or by
// file: at most one of them.
func fileSecret(param, key, inline, env, file string, getenv func(string) string) (string, error) {
	n := 0
	for _, v := range []string{inline, env, file} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return "", latchkey.Errorf(latchkey.CodeFormParamValue, param+"."+key, "Give %s one way only: inline, %s_env or %s_file.", key, key, key)
	}
	switch {
	case env != "":
		v := getenv(env)
		if v == "" {
			return "", latchkey.Errorf(latchkey.CodeFormParamMissing, param+"."+key+"_env", "The environment variable %s is not set.", clip(env))
		}
		return strings.TrimSpace(v), nil
	case file != "":
		b, err := readSmallFile(file)
		if err != nil {
			return "", latchkey.Errorf(latchkey.CodeFormParamValue, param+"."+key+"_file", "The file %s cannot be read, or is over 64 KiB.", clip(file))
		}
		return string(b), nil
	}
	return inline, nil
}

// readSmallFile reads a key file of at most 64 KiB, so a wrong path (a
// device, a huge file) fails instead of hanging or filling memory.
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	const limit = 64 << 10
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if len(b) > limit {
		return nil, errors.New("too large")
	}
	return b, nil
}
