package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/token"
)

// runMigrate is `latchkey migrate`.
func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := parseConfig(modeAdmin, "migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c, c.newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := store.PendingMigrations(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is up to date (%s, %d pending)\n", store.Engine(), n)
	return nil
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
	if err := c.loadMasterKey(); err != nil {
		return err
	}
	box, err := seal.New(c.MasterKey)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c, c.newLogger(io.Discard))
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
	sub := args[0]
	var name string
	c, fs, err := parseConfigWith(modeAdmin, "api-keys "+sub, args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		if sub == "create" {
			fs.StringVar(&name, "name", "", "a name to recognise the key by")
		}
	})
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c, c.newLogger(io.Discard))
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
		if fs.NArg() != 1 {
			return errors.New("usage: latchkey api-keys revoke ID")
		}
		k, err := store.RevokeAPIKey(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s (%s...)\n", k.ID, k.Prefix)
		return nil
	}
	return fmt.Errorf("unknown api-keys command %q: use create, list or revoke", sub)
}
