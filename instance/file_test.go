package instance_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// fileKeys are the dotted keys set by testdata/settings.{toml,yaml,json}.
var fileKeys = []string{
	"allowed_origins", "branding.application_name", "branding.primary_color",
	"password.min_length", "session.lifetime_seconds", "username.enabled", "username.min_length",
}

// fileSettings are the defaults with testdata/settings.* applied.
func fileSettings() *latchkey.Settings {
	s := latchkey.DefaultSettings()
	s.AllowedOrigins = []string{"https://app.example.com", "http://localhost:3000"}
	s.Session.LifetimeSeconds = 86400
	s.Password.MinLength = 12
	s.Username.Enabled, s.Username.MinLength = true, 3
	s.Branding.ApplicationName, s.Branding.PrimaryColor = "Acme", "#4f46e5"
	return s
}

// writeFile writes content to name in a temporary directory.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func loadFile(t *testing.T, path string) *instance.File {
	t.Helper()
	f, err := instance.LoadFile(path)
	if err != nil {
		t.Fatalf("LoadFile(%s): %v", path, err)
	}
	return f
}

func TestLoadFileFormats(t *testing.T) {
	t.Parallel()
	yaml, err := os.ReadFile("testdata/settings.yaml")
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"testdata/settings.toml", "testdata/settings.yaml", "testdata/settings.json",
		writeFile(t, "latchkey.yml", string(yaml)), writeFile(t, "LATCHKEY.YAML", string(yaml)),
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			f := loadFile(t, path)
			if f.Path != path {
				t.Errorf("Path = %q, want %q", f.Path, path)
			}
			if diff := cmp.Diff(fileKeys, f.Keys); diff != "" {
				t.Errorf("Keys (-want +got):\n%s", diff)
			}
			// The patch, applied to the defaults, gives the file's settings.
			var patch map[string]any
			if err := json.Unmarshal(f.Patch, &patch); err != nil {
				t.Fatalf("Patch is not a JSON object: %v\n%s", err, f.Patch)
			}
			got := latchkey.DefaultSettings()
			if err := json.Unmarshal(f.Patch, got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(fileSettings(), got); diff != "" {
				t.Errorf("defaults + file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadFileEmpty(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"empty.toml", "empty.yaml", "comment.yml"} {
		content := ""
		if name == "comment.yml" {
			content = "# nothing set yet\n"
		}
		f := loadFile(t, writeFile(t, name, content))
		if len(f.Keys) != 0 || string(f.Patch) != "{}" {
			t.Errorf("%s: keys %v patch %s, want none and {}", name, f.Keys, f.Patch)
		}
	}
	f := loadFile(t, writeFile(t, "empty.json", "{}"))
	if len(f.Keys) != 0 {
		t.Errorf("empty.json: keys %v", f.Keys)
	}
}

func TestLoadFileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		want []string // substrings of the error, besides the path
	}{
		{"unknown key", "testdata/unknown_key.toml", []string{"session.lifetime_minutes"}},
		{"bad value", "testdata/bad_value.yaml", []string{"password.min_length", "between 8 and 1024"}},
		{"wrong type", "testdata/wrong_type.json", []string{"username.enabled", "boolean"}},
		{"unknown top-level key", writeFile(t, "top.yaml", "sesion:\n  lifetime_seconds: 600\n"), []string{`"sesion"`}},
		{"unknown key beside known ones", writeFile(t, "mix.json", `{"password":{"min_length":12,"max_lenght":100,"enabled":true}}`), []string{"password.max_lenght"}},
		{"rule across keys", writeFile(t, "rule.toml", "[email_address]\nenabled = false\n"), []string{"email_address.enabled"}},
		{"TOML date for a number", writeFile(t, "date.toml", "[session]\nlifetime_seconds = 2025-01-01\n"), []string{"session.lifetime_seconds"}},
		{"YAML duration string", writeFile(t, "dur.yaml", "session:\n  lifetime_seconds: 1h\n"), []string{"session.lifetime_seconds"}},
		{"TOML syntax", writeFile(t, "syntax.toml", "[session\nlifetime_seconds = 1\n"), nil},
		{"YAML syntax", writeFile(t, "syntax.yaml", "session: [\n"), nil},
		{"JSON syntax", writeFile(t, "syntax.json", `{"session":`), nil},
		{"JSON array", writeFile(t, "array.json", `[]`), nil},
		{"bad extension", writeFile(t, "latchkey.ini", "[session]\n"), []string{".toml", ".yaml", ".json"}},
		{"no extension", writeFile(t, "latchkey", "{}"), []string{".toml"}},
		{"missing file", filepath.Join(t.TempDir(), "missing.toml"), []string{"no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := instance.LoadFile(tt.path)
			if err == nil {
				t.Fatalf("LoadFile(%s) = %+v, want an error", tt.path, f)
			}
			for _, want := range append([]string{tt.path}, tt.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("LoadFile error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestFileManagedKeys(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		f := loadFile(t, "testdata/settings.toml")
		svc := open(t, s, latchkey.EnvDevelopment, f)
		if diff := cmp.Diff(fileSettings(), svc.Settings()); diff != "" {
			t.Errorf("settings with the file (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(fileKeys, svc.Snapshot().Managed); diff != "" {
			t.Errorf("Managed (-want +got):\n%s", diff)
		}
		before := svc.Snapshot()

		for _, tt := range []struct{ body, param string }{
			{`{"session":{"lifetime_seconds":600}}`, "session.lifetime_seconds"},
			{`{"session":{"lifetime_seconds":null}}`, "session.lifetime_seconds"},
			{`{"allowed_origins":["https://other.example"]}`, "allowed_origins"},
			{`{"allowed_origins":null}`, "allowed_origins"},
			// Resetting a parent object would reset the managed keys in it.
			{`{"session":null}`, "session"},
			{`{"branding":null}`, "branding"},
			{`{"username":null}`, "username"},
			// One managed key spoils the whole patch.
			{`{"mail":{"from_name":"Acme"},"password":{"min_length":16}}`, "password.min_length"},
		} {
			_, err := svc.Patch(context.Background(), []byte(tt.body))
			e := wantError(t, err, latchkey.CodeSettingManaged, tt.param)
			if !strings.Contains(e.LongMessage, "testdata/settings.toml") {
				t.Errorf("Patch(%s): long message %q does not name the file", tt.body, e.LongMessage)
			}
		}
		if svc.Snapshot() != before {
			t.Error("a rejected patch of a managed key swapped the snapshot")
		}

		// Keys the file does not set stay editable, beside managed ones.
		snap := patch(t, svc, `{"session":{"token_lifetime_seconds":120},"mail":{"from_name":"Acme"}}`)
		if snap.Settings.Session.TokenLifetimeSeconds != 120 || snap.Settings.Session.LifetimeSeconds != 86400 {
			t.Errorf("session after patching an unmanaged sibling = %+v", snap.Settings.Session)
		}
	})
}

// TestFileWinsOverDatabase changes settings through the API, then restarts
// with a file: keys the file sets take its values, the others keep theirs.
func TestFileWinsOverDatabase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		svc := open(t, s, latchkey.EnvDevelopment, nil)
		patch(t, svc, `{"session":{"lifetime_seconds":7200,"token_lifetime_seconds":120},"password":{"min_length":20},"mail":{"from_name":"From DB"}}`)

		restarted := open(t, s, latchkey.EnvDevelopment, loadFile(t, "testdata/settings.json"))
		want := fileSettings()
		want.Session.TokenLifetimeSeconds = 120 // not in the file: the database's value
		want.Mail.FromName = "From DB"
		if diff := cmp.Diff(want, restarted.Settings()); diff != "" {
			t.Errorf("settings after restart with the file (-want +got):\n%s", diff)
		}
		// The file's values are stored, so other processes see them too.
		other := open(t, s, latchkey.EnvDevelopment, nil)
		if diff := cmp.Diff(want, other.Settings()); diff != "" {
			t.Errorf("settings seen by a process without the file (-want +got):\n%s", diff)
		}
		// Opening with the same file again changes nothing.
		v := restarted.Snapshot().Version
		if again := open(t, s, latchkey.EnvDevelopment, loadFile(t, "testdata/settings.json")); again.Snapshot().Version != v {
			t.Errorf("reopening with an unchanged file bumped the version from %d to %d", v, again.Snapshot().Version)
		}
	})
}

// TestFileConflictsWithDatabase: a file that is valid on its own but not on
// top of the stored settings is reported against the file at start.
func TestFileConflictsWithDatabase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		svc := open(t, s, latchkey.EnvDevelopment, nil)
		patch(t, svc, `{"password":{"max_length":64}}`)
		path := writeFile(t, "latchkey.toml", "[password]\nmin_length = 100\n")
		_, err := instance.Open(context.Background(), s, latchkey.EnvDevelopment, loadFile(t, path), discard)
		if err == nil {
			t.Fatal("Open with a file that conflicts with the stored settings succeeded")
		}
		for _, want := range []string{path, "password.max_length"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not mention %q", err, want)
			}
		}
	})
}
