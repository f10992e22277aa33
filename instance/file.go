package instance

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/latchkeyhq/latchkey"
	"gopkg.in/yaml.v3"
)

// File is a declarative settings file (TOML, YAML or JSON), loaded at start.
// Its keys win over the database and are reported as managed by the file.
type File struct {
	Path  string
	Patch []byte   // the file's settings as a JSON merge patch
	Keys  []string // the dotted keys it sets
	// OAuthProviderTables are its [oauth_providers.<id>] tables, by ID;
	// OAuthProviders resolves them.
	OAuthProviderTables []FileOAuthProvider
}

// LoadFile reads and checks a settings file. The format follows the
// extension: .toml, .yaml/.yml or .json. Unknown keys, wrong types and
// invalid values are reported with the file's name and the key.
func LoadFile(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config file: %w", err)
	}
	var doc map[string]any
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		if _, err := toml.Decode(string(raw), &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	case ".yaml", ".yml":
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	case ".json":
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	default:
		return nil, fmt.Errorf("%s: the config file must end in .toml, .yaml, .yml or .json", path)
	}
	if doc == nil {
		doc = map[string]any{}
	}
	providers, err := takeOAuthProviders(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, describe(err))
	}
	keys, err := checkKeys(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", path, describe(err))
	}
	patch, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// Check the file on its own, on top of the defaults, so a bad value is
	// reported against the file before anything touches the database.
	defaults, _ := json.Marshal(latchkey.DefaultSettings())
	if _, err := applyPatch(defaults, patch); err != nil {
		return nil, fmt.Errorf("%s: %s", path, describe(err))
	}
	return &File{Path: path, Patch: patch, Keys: keys, OAuthProviderTables: providers}, nil
}

func describe(err error) string {
	if e, ok := err.(*latchkey.Error); ok {
		if e.Param != "" {
			return e.Param + ": " + e.LongMessage
		}
		return e.LongMessage
	}
	return err.Error()
}
