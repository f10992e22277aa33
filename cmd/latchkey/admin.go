package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/token"
)

// runMigrate is `latchkey migrate`.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := parseConfig(modeAdmin, "migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, c.DatabaseURL)
	if err != nil {
		return fmt.Errorf("%w (database %s)", err, redactURL(c.DatabaseURL))
	}
	defer store.Close()
	applied, err := store.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintf(stdout, "applied %s\n", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is up to date (%s, %d migrations applied now)\n", store.Engine(), len(applied))
	return nil
}

// openExistingStore opens the database for an admin command, refusing to
// create a new SQLite file: a mistyped --data-dir should not quietly make an
// empty database.
// openSealedStore opens an existing database together with the master key's
// box, for commands that read or write secrets at rest.
func openSealedStore(ctx context.Context, c *config) (*sqlstore.Store, *seal.Box, error) {
	if err := c.loadMasterKey(); err != nil {
		return nil, nil, err
	}
	box, err := seal.New(c.MasterKey)
	if err != nil {
		return nil, nil, err
	}
	store, err := openExistingStore(ctx, c)
	if err != nil {
		return nil, nil, err
	}
	return store, box, nil
}

func openExistingStore(ctx context.Context, c *config) (*sqlstore.Store, error) {
	if !c.postgres() {
		if _, err := os.Stat(c.DatabaseURL); err != nil {
			return nil, fmt.Errorf("no database at %s: check --data-dir or --database-url (start latchkey once to create it)", c.DatabaseURL)
		}
	}
	return openStore(ctx, c, c.newLogger(io.Discard))
}

// runKeys is `latchkey keys rotate|list`.
func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "list") {
		return errors.New("usage: latchkey keys rotate|list [flags]")
	}
	c, _, err := parseConfig(modeAdmin, "keys "+args[0], args[1:], getenv, stderr)
	if err != nil {
		return err
	}
	store, box, err := openSealedStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	ring := token.NewKeyring(store, box)
	if args[0] == "rotate" {
		if err := ring.Rotate(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "rotated: the next key now signs tokens; running servers pick it up within 30 seconds")
	}
	keys, err := store.SigningKeys(ctx, time.Now().Add(-token.RetiredGrace))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tSTATE\tALG\tCREATED")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.State, k.Algorithm, k.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

// runAPIKeys is `latchkey api-keys create|list|revoke`.
func runAPIKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: latchkey api-keys create [--name NAME] | list | revoke ID")
	}
	sub, rest := args[0], args[1:]
	var id string
	if sub == "revoke" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:] // allow the ID before the flags too
	}
	var name string
	c, fs, err := parseConfigWith(modeAdmin, "api-keys "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		if sub == "create" {
			fs.StringVar(&name, "name", "", "a name to recognise the key by")
		}
	})
	if err != nil {
		return err
	}
	store, err := openExistingStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "create":
		inst, err := store.Instance(ctx)
		if errors.Is(err, latchkey.ErrNotFound) {
			return errors.New("this database has no instance yet: start `latchkey serve` (or `latchkey dev`) once first")
		} else if err != nil {
			return err
		}
		secret, key := instance.NewAPIKey(inst, name)
		if err := store.CreateAPIKey(ctx, key); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n\nThis is key %s. It is shown only now: store it in your secret manager.\n", secret, key.ID)
		return nil
	case "list":
		keys, err := store.APIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tNAME\tCREATED\tSTATUS")
		for _, k := range keys {
			status := "active"
			if k.Revoked() {
				status = "revoked " + k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s...\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Name, k.CreatedAt.Format(time.RFC3339), status)
		}
		return tw.Flush()
	case "revoke":
		if id == "" && fs.NArg() == 1 {
			id = fs.Arg(0)
		} else if id == "" || fs.NArg() != 0 {
			return errors.New("usage: latchkey api-keys revoke ID")
		}
		k, err := store.RevokeAPIKey(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s (%s...)\n", k.ID, k.Prefix)
		return nil
	}
	return fmt.Errorf("unknown api-keys command %q: use create, list or revoke", sub)
}
