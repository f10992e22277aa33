package sqlstore_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

func TestInstanceBeforeCreate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		inst, err := s.Instance(t.Context())
		wantNotFound(t, err)
		if inst != nil {
			t.Errorf("Instance = %+v, want nil", inst)
		}
		_, _, err = s.Settings(t.Context())
		wantNotFound(t, err)
		_, err = s.SettingsVersion(t.Context())
		wantNotFound(t, err)
		called := false
		_, _, err = s.UpdateSettings(t.Context(), func(b []byte) ([]byte, error) { called = true; return b, nil })
		wantNotFound(t, err)
		if called {
			t.Error("UpdateSettings called fn without an instance")
		}
	})
}

func TestCreateInstance(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		c := setClock(s)
		settings := []byte(`{"email_address":{"enabled":true}}`)
		created, err := s.CreateInstance(t.Context(), &latchkey.Instance{Environment: latchkey.EnvDevelopment, PublishableKey: "pk_test_1"}, settings)
		if err != nil {
			t.Fatalf("CreateInstance: %v", err)
		}
		want := &latchkey.Instance{ID: created.ID, Environment: latchkey.EnvDevelopment, PublishableKey: "pk_test_1",
			CreatedAt: stored(base), UpdatedAt: stored(base)}
		if diff := cmp.Diff(want, created); diff != "" {
			t.Errorf("CreateInstance (-want +got):\n%s", diff)
		}
		if len(created.ID) < 5 || created.ID[:4] != "ins_" {
			t.Errorf("ID = %q, want prefix ins_", created.ID)
		}
		got, err := s.Instance(t.Context())
		if err != nil {
			t.Fatalf("Instance: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Instance (-want +got):\n%s", diff)
		}

		// A second start finds the first instance and keeps its settings,
		// even with a clock that went back: a second instance row would
		// then be the oldest, and win.
		c.Add(-time.Hour)
		again, err := s.CreateInstance(t.Context(), &latchkey.Instance{Environment: latchkey.EnvProduction, PublishableKey: "pk_live_2"}, []byte(`{}`))
		if err != nil {
			t.Fatalf("second CreateInstance: %v", err)
		}
		if diff := cmp.Diff(want, again); diff != "" {
			t.Errorf("second CreateInstance (-want +got):\n%s", diff)
		}
		wantSettings(t, s, string(settings), 1)
	})
}

// TestCreateInstanceConcurrent starts many processes' worth of CreateInstance
// at once: they all get the same instance, and only one row is stored.
func TestCreateInstanceConcurrent(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			u := storetest.URL(t, engine)
			s, err := sqlstore.Open(t.Context(), u)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			const workers = 20
			ids := make([]string, workers)
			together(t, s, workers, func(i int) {
				inst, err := s.CreateInstance(t.Context(), &latchkey.Instance{Environment: latchkey.EnvDevelopment,
					PublishableKey: fmt.Sprintf("pk_test_%d", i)}, fmt.Appendf(nil, `{"by":%d}`, i))
				if err != nil {
					t.Errorf("CreateInstance: %v", err)
					return
				}
				ids[i] = inst.ID
			})
			for i, id := range ids {
				if id != ids[0] || id == "" {
					t.Fatalf("CreateInstance %d returned %q, CreateInstance 0 returned %q", i, id, ids[0])
				}
			}
			inst, err := s.Instance(t.Context())
			if err != nil || inst.ID != ids[0] {
				t.Fatalf("Instance = %v, %v, want ID %s", inst, err, ids[0])
			}
			// The settings are those of the instance that won.
			b, _, err := s.Settings(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var by struct{ By int }
			if err := json.Unmarshal(b, &by); err != nil {
				t.Fatalf("settings %s: %v", b, err)
			}
			if want := fmt.Sprintf("pk_test_%d", by.By); inst.PublishableKey != want {
				t.Errorf("instance key %s with settings of %s", inst.PublishableKey, want)
			}
			// A second row would hide behind the first in every read, so
			// count the rows themselves.
			if n := countRows(t, engine, u, "instances"); n != 1 {
				t.Errorf("instances table has %d rows, want 1", n)
			}
		})
	}
}

// countRows counts a table's rows through a connection of its own, for facts
// the store's API cannot show.
func countRows(t *testing.T, engine, url, table string) int {
	t.Helper()
	driver := map[string]string{"sqlite": "sqlite", "postgres": "pgx"}[engine]
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantSettings fails the test unless the stored settings and version are want.
func wantSettings(t *testing.T, s *sqlstore.Store, want string, wantVersion int64) {
	t.Helper()
	b, v, err := s.Settings(t.Context())
	if err != nil {
		t.Fatalf("Settings: %v", err)
	}
	if string(b) != want || v != wantVersion {
		t.Errorf("Settings = %s, version %d; want %s, version %d", b, v, want, wantVersion)
	}
	v, err = s.SettingsVersion(t.Context())
	if err != nil || v != wantVersion {
		t.Errorf("SettingsVersion = %d, %v; want %d", v, err, wantVersion)
	}
}

func TestUpdateSettings(t *testing.T) {
	t.Parallel()
	errFn := errors.New("fn says no")
	tests := []struct {
		name        string
		fn          func(current []byte) ([]byte, error)
		wantErr     error
		wantJSON    string
		wantVersion int64
		wantUpdated bool // Instance().UpdatedAt moves
	}{
		{
			name:        "change",
			fn:          func([]byte) ([]byte, error) { return []byte(`{"a":2}`), nil },
			wantJSON:    `{"a":2}`,
			wantVersion: 2,
			wantUpdated: true,
		},
		{
			name: "fn sees the current settings",
			fn: func(cur []byte) ([]byte, error) {
				if string(cur) != `{"a":1}` {
					return nil, fmt.Errorf("fn got %s", cur)
				}
				return []byte(`{"a":1,"b":true}`), nil
			},
			wantJSON:    `{"a":1,"b":true}`,
			wantVersion: 2,
			wantUpdated: true,
		},
		{
			name:        "no change keeps the version",
			fn:          func(cur []byte) ([]byte, error) { return cur, nil },
			wantJSON:    `{"a":1}`,
			wantVersion: 1,
		},
		{
			name:        "fn error aborts",
			fn:          func([]byte) ([]byte, error) { return []byte(`{"a":3}`), fmt.Errorf("wrapped: %w", errFn) },
			wantErr:     errFn,
			wantJSON:    `{"a":1}`,
			wantVersion: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
				c := setClock(s)
				if _, err := s.CreateInstance(t.Context(), &latchkey.Instance{Environment: latchkey.EnvDevelopment, PublishableKey: "pk"}, []byte(`{"a":1}`)); err != nil {
					t.Fatal(err)
				}
				now := c.Add(time.Minute)
				got, v, err := s.UpdateSettings(t.Context(), tt.fn)
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("UpdateSettings error = %v, want %v", err, tt.wantErr)
					}
				} else {
					if err != nil {
						t.Fatalf("UpdateSettings: %v", err)
					}
					if string(got) != tt.wantJSON || v != tt.wantVersion {
						t.Errorf("UpdateSettings = %s, version %d; want %s, version %d", got, v, tt.wantJSON, tt.wantVersion)
					}
				}
				wantSettings(t, s, tt.wantJSON, tt.wantVersion)
				inst, err := s.Instance(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				wantUpdated := stored(base)
				if tt.wantUpdated {
					wantUpdated = stored(now)
				}
				if !inst.UpdatedAt.Equal(wantUpdated) || !inst.CreatedAt.Equal(stored(base)) {
					t.Errorf("instance CreatedAt, UpdatedAt = %v, %v, want %v, %v", inst.CreatedAt, inst.UpdatedAt, stored(base), wantUpdated)
				}
			})
		})
	}
}

// TestUpdateSettingsConcurrent has many goroutines increment a counter in the
// settings at once: none of the increments may be lost.
func TestUpdateSettingsConcurrent(t *testing.T) {
	t.Parallel()
	const workers = 50
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		if _, err := s.CreateInstance(t.Context(), &latchkey.Instance{Environment: latchkey.EnvDevelopment, PublishableKey: "pk"}, []byte(`{"n":0}`)); err != nil {
			t.Fatal(err)
		}
		together(t, s, workers, func(int) {
			_, _, err := s.UpdateSettings(t.Context(), func(cur []byte) ([]byte, error) {
				var m struct{ N int }
				if err := json.Unmarshal(cur, &m); err != nil {
					return nil, err
				}
				return fmt.Appendf(nil, `{"n":%d}`, m.N+1), nil
			})
			if err != nil {
				t.Errorf("UpdateSettings: %v", err)
			}
		})
		wantSettings(t, s, fmt.Sprintf(`{"n":%d}`, workers), 1+workers)
	})
}
