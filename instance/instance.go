// Package instance owns the deployment's one instance: creating it on first
// start, its publishable and secret keys, and its settings.
//
// Settings are read through an immutable snapshot swapped atomically, so a
// request sees one consistent version from start to end and readers never
// lock. Changes arrive through Patch (the Backend API), through a declarative
// file applied at start (keys it sets win and are reported as managed by the
// file), or from another process sharing the database (noticed by Watch).
package instance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"

	"github.com/latchkeyhq/latchkey"
)

// Store is the storage the service needs.
type Store interface {
	Instance(ctx context.Context) (*latchkey.Instance, error)
	CreateInstance(ctx context.Context, inst *latchkey.Instance, settings []byte) (*latchkey.Instance, error)
	Settings(ctx context.Context) ([]byte, int64, error)
	SettingsVersion(ctx context.Context) (int64, error)
	UpdateSettings(ctx context.Context, fn func(current []byte) ([]byte, error)) ([]byte, int64, error)
}

// Snapshot is one consistent, immutable view of the instance and its
// settings. Never modify it.
type Snapshot struct {
	Instance *latchkey.Instance
	Settings *latchkey.Settings
	Version  int64
	// Managed lists the dotted setting keys set by the configuration file.
	Managed []string
}

// Service holds the current snapshot.
type Service struct {
	store   Store
	log     *slog.Logger
	file    *File
	managed map[string]bool
	snap    atomic.Pointer[Snapshot]
}

// Open creates the instance on first start (in environment env), applies the
// configuration file if any, and loads the first snapshot.
func Open(ctx context.Context, store Store, env string, file *File, log *slog.Logger) (*Service, error) {
	s := &Service{store: store, log: log, file: file, managed: map[string]bool{}}
	inst := &latchkey.Instance{Environment: env}
	inst.PublishableKey = "pk_" + inst.KeyPrefix() + "_" + latchkey.RandomString(32)
	defaults, err := json.Marshal(latchkey.DefaultSettings())
	if err != nil {
		return nil, err
	}
	got, err := store.CreateInstance(ctx, inst, defaults)
	if err != nil {
		return nil, err
	}
	if got.Environment != env {
		return nil, fmt.Errorf("this database belongs to a %s deployment; use a separate database for %s", got.Environment, env)
	}
	if file != nil {
		for _, k := range file.Keys {
			s.managed[k] = true
		}
		_, _, err := store.UpdateSettings(ctx, func(cur []byte) ([]byte, error) {
			return applyPatch(cur, file.Patch)
		})
		if err != nil {
			return nil, fmt.Errorf("apply %s: %w", file.Path, err)
		}
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Snapshot returns the current snapshot.
func (s *Service) Snapshot() *Snapshot { return s.snap.Load() }

// Settings returns the current settings.
func (s *Service) Settings() *latchkey.Settings { return s.snap.Load().Settings }

// Instance returns the instance.
func (s *Service) Instance() *latchkey.Instance { return s.snap.Load().Instance }

// Reload rereads the instance and settings and swaps the snapshot.
func (s *Service) Reload(ctx context.Context) error {
	inst, err := s.store.Instance(ctx)
	if err != nil {
		return err
	}
	raw, version, err := s.store.Settings(ctx)
	if err != nil {
		return err
	}
	settings, err := decodeSettings(raw)
	if err != nil {
		return fmt.Errorf("stored settings: %w", err)
	}
	managed := make([]string, 0, len(s.managed))
	for k := range s.managed {
		managed = append(managed, k)
	}
	sort.Strings(managed)
	s.snap.Store(&Snapshot{Instance: inst, Settings: settings, Version: version, Managed: managed})
	return nil
}

// Patch applies a JSON merge patch (RFC 7396) to the settings: objects merge,
// other values replace, null resets a setting to its default. Unknown keys,
// wrong types, invalid values and keys managed by the configuration file are
// rejected with a *latchkey.Error naming the setting.
func (s *Service) Patch(ctx context.Context, patch []byte) (*Snapshot, error) {
	var doc map[string]any
	if err := json.Unmarshal(patch, &doc); err != nil || doc == nil {
		return nil, latchkey.Errorf(latchkey.CodeRequestBodyInvalid, "", "The body must be a JSON object of settings to change.")
	}
	keys, err := checkKeys(doc)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if s.managed[k] || s.managedParent(k) {
			return nil, latchkey.Errorf(latchkey.CodeSettingManaged, k,
				"%s is set by the configuration file %s; change it there and restart.", k, s.file.Path)
		}
	}
	_, _, err = s.store.UpdateSettings(ctx, func(cur []byte) ([]byte, error) { return applyPatch(cur, patch) })
	if err != nil {
		return nil, err
	}
	if err := s.Reload(ctx); err != nil {
		return nil, err
	}
	return s.Snapshot(), nil
}

// managedParent reports whether a managed key lies under k (patching
// "session": null would reset file-managed "session.lifetime_seconds").
func (s *Service) managedParent(k string) bool {
	for m := range s.managed {
		if len(m) > len(k) && m[:len(k)] == k && m[len(k)] == '.' {
			return true
		}
	}
	return false
}

// Watch reloads the snapshot whenever another process changed the settings,
// checking every interval until ctx ends.
func (s *Service) Watch(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := s.store.SettingsVersion(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				s.log.Warn("check settings version", "err", err)
			}
			continue
		}
		if v != s.Snapshot().Version {
			if err := s.Reload(ctx); err != nil {
				s.log.Error("reload settings", "err", err)
			} else {
				s.log.Info("settings reloaded", "version", v)
			}
		}
	}
}
