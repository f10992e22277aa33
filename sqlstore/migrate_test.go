package sqlstore_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/sqlstore/storetest"
)

// migrationNames returns the file names in migrations/<engine>, sorted.
func migrationNames(t *testing.T, engine string) []string {
	t.Helper()
	entries, err := os.ReadDir("migrations/" + engine)
	if err != nil {
		t.Fatalf("read migrations: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// TestMigrationsLockstep keeps the two engine folders in step: the same
// versions with the same names, numbered from 1 without gaps, and each file
// opening with a comment that says why it exists.
func TestMigrationsLockstep(t *testing.T) {
	t.Parallel()
	lite, pg := migrationNames(t, "sqlite"), migrationNames(t, "postgres")
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Fatalf("migrations/sqlite and migrations/postgres differ (-sqlite +postgres):\n%s", diff)
	}
	name := regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)
	for i, n := range lite {
		m := name.FindStringSubmatch(n)
		if m == nil {
			t.Errorf("%s: want NNNN_lower_snake_name.sql", n)
			continue
		}
		if want := fmt.Sprintf("%04d", i+1); m[1] != want {
			t.Errorf("%s: number %s, want %s (no gaps, no duplicates)", n, m[1], want)
		}
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, n := range lite {
			body, err := os.ReadFile("migrations/" + engine + "/" + n)
			if err != nil {
				t.Fatal(err)
			}
			// The leading comment block: every line up to the first that is
			// not a "--" comment.
			var comment []string
			for _, line := range strings.Split(string(body), "\n") {
				rest, ok := strings.CutPrefix(line, "--")
				if !ok {
					break
				}
				comment = append(comment, strings.TrimSpace(rest))
			}
			if words := strings.Fields(strings.Join(comment, " ")); len(words) < 5 {
				t.Errorf("%s/%s: must start with a -- comment saying why it exists, got %q", engine, n, comment)
			}
		}
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			files := migrationNames(t, engine)
			s, err := sqlstore.Open(t.Context(), storetest.URL(t, engine))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()

			n, err := s.PendingMigrations(t.Context())
			if err != nil {
				t.Fatalf("PendingMigrations before Migrate: %v", err)
			}
			if n != len(files) {
				t.Errorf("PendingMigrations before Migrate = %d, want %d", n, len(files))
			}

			applied, err := s.Migrate(t.Context())
			if err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			if diff := cmp.Diff(files, applied); diff != "" {
				t.Errorf("first Migrate applied (-want +got):\n%s", diff)
			}
			if n, err := s.PendingMigrations(t.Context()); err != nil || n != 0 {
				t.Errorf("PendingMigrations after Migrate = %d, %v, want 0, nil", n, err)
			}

			applied, err = s.Migrate(t.Context())
			if err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			if len(applied) != 0 {
				t.Errorf("second Migrate applied %q, want nothing", applied)
			}
			if n, err := s.PendingMigrations(t.Context()); err != nil || n != 0 {
				t.Errorf("PendingMigrations after second Migrate = %d, %v, want 0, nil", n, err)
			}
			// The schema is there.
			if n, err := s.CountUsers(t.Context(), sqlstore.UserFilter{}); err != nil || n != 0 {
				t.Errorf("CountUsers = %d, %v, want 0, nil", n, err)
			}
		})
	}
}

// TestMigrateConcurrent starts several processes' worth of stores on one
// empty database at once: every migration is applied exactly once and none
// of them fails.
func TestMigrateConcurrent(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			files := migrationNames(t, engine)
			u := storetest.URL(t, engine)
			const procs = 4
			stores := make([]*sqlstore.Store, procs)
			for i := range stores {
				s, err := sqlstore.Open(t.Context(), u)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				defer s.Close()
				stores[i] = s
			}
			applied := make([][]string, procs)
			errs := make([]error, procs)
			together(t, nil, procs, func(i int) { applied[i], errs[i] = stores[i].Migrate(t.Context()) })
			var all []string
			for i := range stores {
				if errs[i] != nil {
					t.Errorf("store %d: Migrate: %v", i, errs[i])
				}
				all = append(all, applied[i]...)
			}
			if diff := cmp.Diff(files, all, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
				t.Errorf("migrations applied across stores (-want +got):\n%s", diff)
			}
		})
	}
}
