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

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

const oauthProvidersUsage = "usage: latchkey oauth-providers list | set --provider ID [--client-id ID] [--client-secret-env VAR | --client-secret-file FILE] [--scopes a,b] [--enabled=true|false] | delete ID"

// oauthProviderFlags are the flags of `oauth-providers set`. The client
// secret is never a flag (it would show in the process list and the shell
// history): it comes from an environment variable or a file.
type oauthProviderFlags struct {
	provider, typ, name, clientID, secretEnv, secretFile, scopes, issuer string
	enabled, trust                                                       bool
	set                                                                  map[string]bool // the flags given
}

// runOAuthProviders is `latchkey oauth-providers list|set|delete`, working
// on the database directly like `latchkey api-keys`.
func runOAuthProviders(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(oauthProvidersUsage)
	}
	sub, rest := args[0], args[1:]
	var id string
	if sub == "delete" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:] // allow the ID before the flags too
	}
	var f oauthProviderFlags
	c, fs, err := parseConfigWith(modeAdmin, "oauth-providers "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		if sub != "set" {
			return
		}
		fs.StringVar(&f.provider, "provider", "", "the provider's ID: a built-in type (google, github, ...) or custom_<slug>")
		fs.StringVar(&f.typ, "type", "", "for a new custom provider: oidc or oauth2")
		fs.StringVar(&f.name, "name", "", "the label of the sign-in button")
		fs.StringVar(&f.clientID, "client-id", "", "the OAuth client ID")
		fs.StringVar(&f.secretEnv, "client-secret-env", "", "the environment variable holding the client secret")
		fs.StringVar(&f.secretFile, "client-secret-file", "", "a file holding the client secret")
		fs.StringVar(&f.scopes, "scopes", "", "comma-separated scopes (empty: the provider's defaults)")
		fs.StringVar(&f.issuer, "issuer", "", "for type oidc: the issuer URL")
		fs.BoolVar(&f.enabled, "enabled", true, "offer the provider on sign-in and sign-up")
		fs.BoolVar(&f.trust, "trust-verified-email", false, "link to an existing user when the provider says the email is verified (default: on for google, microsoft, apple)")
	})
	if err != nil {
		return err
	}
	if sub == "set" {
		f.set = map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	}
	if sub != "list" && sub != "set" && sub != "delete" {
		return fmt.Errorf("unknown oauth-providers command %q: use list, set or delete", sub)
	}
	store, box, err := openSealedStore(ctx, c)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "list":
		ps, err := store.OAuthProviders(ctx, box)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTYPE\tNAME\tENABLED\tCLIENT ID\tSECRET\tMANAGED BY")
		for _, p := range ps {
			secret, managed := "not set", "api"
			if p.ClientSecret != "" || p.ApplePrivateKey != "" {
				secret = "set"
			}
			if p.ManagedByFile {
				managed = "file"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\t%s\t%s\n", p.ID, p.Type, p.Name, p.Enabled, p.ClientID, secret, managed)
		}
		return tw.Flush()
	case "delete":
		if id == "" && fs.NArg() == 1 {
			id = fs.Arg(0)
		} else if id == "" || fs.NArg() != 0 {
			return errors.New("usage: latchkey oauth-providers delete ID")
		}
		if err := store.DeleteOAuthProvider(ctx, id); err != nil {
			return describeProviderError(err, id)
		}
		fmt.Fprintf(stdout, "deleted %s\n", id)
		return nil
	}
	if fs.NArg() != 0 || f.provider == "" {
		return errors.New(oauthProvidersUsage)
	}
	inst, err := store.Instance(ctx)
	if errors.Is(err, latchkey.ErrNotFound) {
		return errors.New("this database has no instance yet: start `latchkey serve` (or `latchkey dev`) once first")
	} else if err != nil {
		return err
	}
	dev := inst.Environment == latchkey.EnvDevelopment
	secret, err := f.secret(getenv)
	if err != nil {
		return err
	}
	p, err := store.UpdateOAuthProvider(ctx, box, f.provider, func(p *latchkey.OAuthProvider) error {
		if f.set["type"] && f.typ != p.Type {
			return latchkey.Errorf(latchkey.CodeFormParamValue, "type", "The type of %s cannot change; delete it and set it again.", p.ID)
		}
		f.apply(p, secret)
		return instance.ValidateOAuthProvider(p, dev)
	})
	created := false
	if errors.Is(err, latchkey.ErrNotFound) {
		typ := f.provider
		if f.set["type"] {
			typ = f.typ
		}
		p = instance.NewOAuthProvider(typ)
		p.ID = f.provider
		if p.Name == "" || typ == latchkey.OAuthOIDC || typ == latchkey.OAuthOAuth2 {
			p.Name = p.ID
		}
		f.apply(p, secret)
		if err = instance.ValidateOAuthProvider(p, dev); err == nil {
			err = store.CreateOAuthProvider(ctx, box, p)
		}
		created = true
	}
	if err != nil {
		return describeProviderError(err, f.provider)
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(stdout, "%s %s (strategy oauth_%s, enabled %t, client secret %s)\n", verb, p.ID, p.ID, p.Enabled, map[bool]string{true: "set", false: "not set"}[p.ClientSecret != ""])
	return nil
}

// secret reads the client secret from the variable or file named, if any.
func (f *oauthProviderFlags) secret(getenv func(string) string) (*string, error) {
	switch {
	case f.secretEnv != "" && f.secretFile != "":
		return nil, errors.New("give --client-secret-env or --client-secret-file, not both")
	case f.secretEnv != "":
		v := strings.TrimSpace(getenv(f.secretEnv))
		if v == "" {
			return nil, fmt.Errorf("--client-secret-env: the environment variable %s is not set", f.secretEnv)
		}
		return &v, nil
	case f.secretFile != "":
		raw, err := os.ReadFile(f.secretFile)
		if err != nil {
			return nil, fmt.Errorf("--client-secret-file: %w", err)
		}
		v := strings.TrimSpace(string(raw))
		if v == "" {
			return nil, fmt.Errorf("--client-secret-file: %s is empty", f.secretFile)
		}
		return &v, nil
	}
	return nil, nil
}

// apply copies the flags that were given onto p.
func (f *oauthProviderFlags) apply(p *latchkey.OAuthProvider, secret *string) {
	if f.set["name"] {
		p.Name = f.name
	}
	if f.set["client-id"] {
		p.ClientID = f.clientID
	}
	if secret != nil {
		p.ClientSecret = *secret
	}
	if f.set["scopes"] {
		p.Scopes = []string{}
		for _, s := range strings.Split(f.scopes, ",") {
			if s = strings.TrimSpace(s); s != "" {
				p.Scopes = append(p.Scopes, s)
			}
		}
	}
	if f.set["issuer"] {
		p.Issuer = f.issuer
	}
	if f.set["enabled"] {
		p.Enabled = f.enabled
	}
	if f.set["trust-verified-email"] {
		p.TrustVerifiedEmail = f.trust
	}
}

// describeProviderError turns a store or validation error into a sentence
// for the terminal, naming the flag when there is one.
func describeProviderError(err error, id string) error {
	var e *latchkey.Error
	switch {
	case errors.Is(err, latchkey.ErrNotFound):
		return fmt.Errorf("no OAuth provider %q", id)
	case errors.As(err, &e) && e.Param != "":
		return fmt.Errorf("%s: %s", strings.ReplaceAll(e.Param, "_", "-"), e.LongMessage)
	case errors.As(err, &e):
		return errors.New(e.LongMessage)
	}
	return err
}
