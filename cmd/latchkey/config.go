package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/latchkeyhq/latchkey/geoip"
	"github.com/latchkeyhq/latchkey/netguard"
	"github.com/latchkeyhq/latchkey/seal"
)

type mode string

const (
	modeDev   mode = "dev"
	modeServe mode = "serve"
	modeAdmin mode = "admin" // migrate, keys, api-keys
)

// config is the process configuration: parsed once, validated, then passed
// to constructors and never changed.
type config struct {
	Mode        mode
	Addr        string
	DataDir     string
	DatabaseURL string
	PublicURL   string
	ConfigFile  string
	GeoIPFile   string // a MaxMind City or Country database; empty for none
	LogLevel    slog.Level
	MasterKey   []byte // nil until loaded
	masterEnv   string
	// SMTPURL (LATCHKEY_SMTP_URL, environment only: it holds a password) and
	// MailFrom (LATCHKEY_MAIL_FROM) configure outgoing mail. Without them,
	// dev mode delivers to the dev inbox at /dev/inbox.
	SMTPURL  string
	MailFrom string
	// TrustedProxies (LATCHKEY_TRUSTED_PROXIES, comma-separated CIDRs) may
	// set X-Forwarded-For; default loopback.
	TrustedProxies []netip.Prefix
	// CookieDomain (LATCHKEY_COOKIE_DOMAIN) puts __lk_session and __lk_uat on
	// a parent domain, for a Latchkey on its own subdomain
	// (auth.example.com) serving an app on another (app.example.com). The
	// client credential cookie stays host-only either way.
	CookieDomain string
	// WebhookNet is what webhook endpoint URLs may reach. Production
	// allows only public https targets; LATCHKEY_WEBHOOKS_ALLOW
	// (--webhooks-allow), a comma-separated list of private, loopback and
	// http, widens that; dev mode always allows loopback and http.
	WebhookNet netguard.Options
}

// parseConfig reads flags (which win) and the environment.
func parseConfig(m mode, name string, args []string, getenv func(string) string, stderr io.Writer) (*config, *flag.FlagSet, error) {
	return parseConfigWith(m, name, args, getenv, stderr, nil)
}

// parseConfigWith is parseConfig with extra, command-specific flags.
func parseConfigWith(m mode, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet("latchkey "+name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	fs.SetOutput(stderr)
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := &config{Mode: m}
	fs.StringVar(&c.Addr, "addr", env("LATCHKEY_ADDR", "127.0.0.1:8080"), "listen address")
	fs.StringVar(&c.DataDir, "data-dir", env("LATCHKEY_DATA_DIR", ".latchkey"), "data directory")
	fs.StringVar(&c.DatabaseURL, "database-url", env("LATCHKEY_DATABASE_URL", ""), "postgres://... or a SQLite file path")
	fs.StringVar(&c.PublicURL, "public-url", env("LATCHKEY_PUBLIC_URL", ""), "public URL of this server")
	fs.StringVar(&c.ConfigFile, "config", env("LATCHKEY_CONFIG", ""), "settings file (.toml, .yaml, .json)")
	fs.StringVar(&c.GeoIPFile, "geoip-file", env("LATCHKEY_GEOIP_FILE", ""), "MaxMind City or Country database (.mmdb) for the device list")
	level := fs.String("log-level", env("LATCHKEY_LOG_LEVEL", "info"), "debug, info, warn or error")
	webhooksAllow := fs.String("webhooks-allow", env("LATCHKEY_WEBHOOKS_ALLOW", ""), "what webhook URLs may reach besides public https: private, loopback, http (comma-separated)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, nil, fmt.Errorf("log level %q: use debug, info, warn or error (--log-level or LATCHKEY_LOG_LEVEL)", *level)
	}
	c.masterEnv = getenv("LATCHKEY_MASTER_KEY")
	c.SMTPURL, c.MailFrom = getenv("LATCHKEY_SMTP_URL"), getenv("LATCHKEY_MAIL_FROM")
	c.CookieDomain = strings.ToLower(strings.TrimPrefix(getenv("LATCHKEY_COOKIE_DOMAIN"), "."))
	if v := getenv("LATCHKEY_TRUSTED_PROXIES"); v != "" {
		for _, part := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(strings.TrimSpace(part))
			if err != nil {
				return nil, nil, fmt.Errorf("LATCHKEY_TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8", part)
			}
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if err := c.parseWebhooksAllow(*webhooksAllow); err != nil {
		return nil, nil, err
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "latchkey.db")
	}
	return c, fs, c.validate()
}

// parseWebhooksAllow reads LATCHKEY_WEBHOOKS_ALLOW.
func (c *config) parseWebhooksAllow(v string) error {
	if c.Mode == modeDev {
		c.WebhookNet.AllowLoopback, c.WebhookNet.AllowHTTP = true, true
	}
	for _, part := range strings.Split(v, ",") {
		switch strings.TrimSpace(part) {
		case "":
		case "private":
			c.WebhookNet.AllowPrivate = true
		case "loopback":
			c.WebhookNet.AllowLoopback = true
		case "http":
			c.WebhookNet.AllowHTTP = true
		default:
			return fmt.Errorf("LATCHKEY_WEBHOOKS_ALLOW: %q is not one of private, loopback, http (--webhooks-allow)", strings.TrimSpace(part))
		}
	}
	return nil
}

func (c *config) postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// validate checks what can be checked before touching anything.
func (c *config) validate() error {
	if c.Mode != modeAdmin {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("listen address %q: write host:port, such as 127.0.0.1:8080 or :8080 (--addr or LATCHKEY_ADDR)", c.Addr)
		}
	}
	if strings.Contains(c.DatabaseURL, "://") && !c.postgres() {
		return fmt.Errorf("database URL %q: use postgres://user:password@host/db, or a SQLite file path (--database-url or LATCHKEY_DATABASE_URL)", redactURL(c.DatabaseURL))
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("public URL %q: write an absolute URL such as https://auth.example.com (--public-url or LATCHKEY_PUBLIC_URL)", c.PublicURL)
		}
		c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	}
	if c.GeoIPFile != "" && c.Mode != modeAdmin {
		// Opened once here so a wrong path refuses before anything is
		// written; openApp opens it for real.
		db, err := geoip.Open(c.GeoIPFile)
		if err != nil {
			return fmt.Errorf("GeoIP file %q: %w: point --geoip-file or LATCHKEY_GEOIP_FILE at a MaxMind City or Country database such as GeoLite2-City.mmdb, or leave it unset", c.GeoIPFile, err)
		}
		db.Close()
	}
	if c.CookieDomain != "" {
		u, _ := url.Parse(c.PublicURL)
		if u == nil || u.Host == "" || !domainMatches(u.Hostname(), c.CookieDomain) || !strings.Contains(c.CookieDomain, ".") {
			return fmt.Errorf("LATCHKEY_COOKIE_DOMAIN %q must be the public URL's host or a parent of it with at least one dot (example.com for https://auth.example.com), and needs LATCHKEY_PUBLIC_URL", c.CookieDomain)
		}
	}
	if c.masterEnv != "" {
		if _, err := seal.ParseKey(c.masterEnv); err != nil {
			return fmt.Errorf("LATCHKEY_MASTER_KEY: %w", err)
		}
	}
	if c.Mode == modeServe {
		var problems []string
		if c.masterEnv == "" {
			problems = append(problems, "LATCHKEY_MASTER_KEY is not set: set it to 32 random bytes in base64 (openssl rand -base64 32) and keep it safe; it encrypts the signing keys")
		}
		if c.PublicURL == "" {
			problems = append(problems, "LATCHKEY_PUBLIC_URL is not set: set it to the https URL people reach Latchkey at (it is the token issuer)")
		} else if !strings.HasPrefix(c.PublicURL, "https://") {
			problems = append(problems, "LATCHKEY_PUBLIC_URL must use https in production: cookies and tokens must not travel in clear text")
		}
		if len(problems) > 0 {
			return errors.New("refusing to start in production:\n  - " + strings.Join(problems, "\n  - "))
		}
	}
	return nil
}

// loadMasterKey reads LATCHKEY_MASTER_KEY, or in dev mode the key file in the
// data directory (generated on first start, mode 0600). Admin commands use
// the key file when it exists, so they work against a dev data directory.
func (c *config) loadMasterKey() error {
	if c.masterEnv != "" {
		k, err := seal.ParseKey(c.masterEnv)
		if err != nil {
			return fmt.Errorf("LATCHKEY_MASTER_KEY: %w", err)
		}
		c.MasterKey = k
		return nil
	}
	path := filepath.Join(c.DataDir, "master.key")
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := seal.ParseKey(string(raw))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		c.MasterKey = k
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read master key: %w", err)
	case c.Mode != modeDev:
		return errors.New("LATCHKEY_MASTER_KEY is not set (and there is no dev master.key in the data directory)")
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	key := seal.GenerateKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write dev master key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write dev master key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write dev master key: %w", err)
	}
	c.MasterKey, _ = seal.ParseKey(key)
	return nil
}

// newLogger returns the process logger: text in dev, JSON in production.
func (c *config) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.Mode == modeServe {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// redactURL hides a password in a database URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// domainMatches reports whether host is domain or a subdomain of it (RFC 6265
// section 5.1.3), so browsers accept a cookie for domain set by host.
func domainMatches(host, domain string) bool {
	host = strings.ToLower(host)
	return host == domain || strings.HasSuffix(host, "."+domain)
}
