package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/latchkeyhq/latchkey"
)

const usage = `Latchkey: self-hosted authentication.

Usage:
  latchkey dev                 run a zero-config local instance (SQLite in ./.latchkey)
  latchkey serve               run in production (needs LATCHKEY_MASTER_KEY and LATCHKEY_PUBLIC_URL)
  latchkey migrate             apply database migrations and exit
  latchkey keys rotate         make the next signing key current (no one is signed out)
  latchkey keys list           list the published signing keys
  latchkey api-keys create     create a Backend API secret key (shown once) [--name NAME]
  latchkey api-keys list       list secret keys (prefixes only)
  latchkey api-keys revoke ID  revoke a secret key
  latchkey oauth-providers list    list social sign-in providers (secrets never shown)
  latchkey oauth-providers set     configure one: --provider google --client-id ID
                                   --client-secret-env VAR (or --client-secret-file FILE)
                                   [--scopes a,b] [--enabled=false] [--name NAME]
                                   [--type oidc --issuer URL for provider custom_<slug>]
  latchkey oauth-providers delete ID  remove a provider
  latchkey version             print the version

Every command takes these flags, each also settable from the environment:
  --addr ADDR          LATCHKEY_ADDR          listen address (default 127.0.0.1:8080)
  --data-dir DIR       LATCHKEY_DATA_DIR      data directory (default ./.latchkey)
  --database-url URL   LATCHKEY_DATABASE_URL  postgres://... or a SQLite file (default DATA_DIR/latchkey.db)
  --public-url URL     LATCHKEY_PUBLIC_URL    the URL people reach Latchkey at (default http://ADDR in dev)
  --config FILE        LATCHKEY_CONFIG        settings file (.toml, .yaml or .json) kept in version control
  --geoip-file FILE    LATCHKEY_GEOIP_FILE    MaxMind City or Country database (.mmdb, such as GeoLite2-City)
                                              to show each session's city and country in the device list
  --log-level LEVEL    LATCHKEY_LOG_LEVEL     debug, info, warn or error (default info)
The master key is read only from LATCHKEY_MASTER_KEY (32 random bytes in base64), never
from a flag; in dev mode it is generated into DATA_DIR/master.key when unset.

Environment only:
  LATCHKEY_SMTP_URL         outgoing mail: smtp://user:password@host:587 (STARTTLS) or smtps://...:465;
                            without it, dev mode keeps mail in the dev inbox at /dev/inbox
  LATCHKEY_MAIL_FROM        the sender address, such as no-reply@example.com
  LATCHKEY_TRUSTED_PROXIES  comma-separated CIDRs whose X-Forwarded-For is believed (default loopback)
  LATCHKEY_COOKIE_DOMAIN    parent domain for __lk_session and __lk_uat when Latchkey runs on its
                            own subdomain (example.com for https://auth.example.com)
`

// run is the whole program: main only supplies the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := runCommand(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the flag package has printed the flags; not a failure
	}
	return err
}

func runCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "dev":
		return runServer(ctx, modeDev, rest, getenv, stdout, stderr)
	case "serve":
		return runServer(ctx, modeServe, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, getenv, stdout, stderr)
	case "api-keys":
		return runAPIKeys(ctx, rest, getenv, stdout, stderr)
	case "oauth-providers":
		return runOAuthProviders(ctx, rest, getenv, stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "latchkey", latchkey.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
