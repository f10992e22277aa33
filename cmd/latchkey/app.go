package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/auth"
	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/geoip"
	"github.com/latchkeyhq/latchkey/instance"
	"github.com/latchkeyhq/latchkey/mail"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/latchkeyhq/latchkey/seal"
	"github.com/latchkeyhq/latchkey/sqlstore"
	"github.com/latchkeyhq/latchkey/token"
	"github.com/latchkeyhq/latchkey/web"
)

// app is everything a running server is made of, wired explicitly.
type app struct {
	store    *sqlstore.Store
	instance *instance.Service
	keys     *token.Keyring
	hasher   *password.Pool
	users    *auth.Users
	sessions *auth.Sessions
	signIns  *auth.SignIns
	inbox    *mail.Inbox // dev mode without SMTP
	geoip    *geoip.DB   // nil without --geoip-file
	server   *web.Server
	webhooks *delivery.Dispatcher
}

// openStore opens and migrates the database.
func openStore(ctx context.Context, c *config, log *slog.Logger) (*sqlstore.Store, error) {
	store, err := sqlstore.Open(ctx, c.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("%w (database %s)", err, redactURL(c.DatabaseURL))
	}
	applied, err := store.Migrate(ctx)
	if err != nil {
		store.Close()
		return nil, err
	}
	for _, name := range applied {
		log.Info("migration applied", "name", name)
	}
	return store, nil
}

// openApp opens the store, creates the instance and keys on first start,
// and builds the HTTP server. The caller closes app.store, and app.geoip
// once the HTTP server has stopped.
func openApp(ctx context.Context, c *config, log *slog.Logger, publicAddr string, getenv func(string) string) (*app, error) {
	var file *instance.File
	if c.ConfigFile != "" {
		var err error
		if file, err = instance.LoadFile(c.ConfigFile); err != nil {
			return nil, err
		}
	}
	// The file's providers read their secrets from the environment now, so a
	// missing variable stops the start before the database is touched.
	providers, err := file.OAuthProviders(getenv, c.Mode == modeDev)
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, c, log)
	if err != nil {
		return nil, err
	}
	a := &app{store: store}
	env := latchkey.EnvProduction
	if c.Mode == modeDev {
		env = latchkey.EnvDevelopment
	}
	// The instance (and its environment check) comes before the master key,
	// so `dev` pointed at a production database refuses before it writes a
	// dev master key into the data directory.
	if a.instance, err = instance.Open(ctx, store, env, file, log); err != nil {
		store.Close()
		return nil, err
	}
	if err := c.loadMasterKey(); err != nil {
		store.Close()
		return nil, err
	}
	box, err := seal.New(c.MasterKey)
	if err != nil {
		store.Close()
		return nil, err
	}
	a.keys = token.NewKeyring(store, box)
	if err := a.keys.Init(ctx); err != nil {
		store.Close()
		return nil, err
	}
	if err := store.SyncFileOAuthProviders(ctx, box, providers); err != nil {
		store.Close()
		return nil, err
	}
	var sender mail.Sender
	switch {
	case c.SMTPURL != "":
		if sender, err = smtpFromURL(c.SMTPURL, c.MailFrom); err != nil {
			store.Close()
			return nil, err
		}
	case c.Mode == modeDev:
		a.inbox = mail.NewInbox(mail.DefaultInboxSize)
		sender = a.inbox
	default:
		log.Warn("no LATCHKEY_SMTP_URL: email codes, magic links and notifications cannot be sent")
		sender = noMail{}
	}
	m := &mailer{sender: sender, settings: a.instance.Settings, store: store, from: c.MailFrom}
	publicURL := c.PublicURL
	if publicURL == "" {
		publicURL = "http://" + publicAddr
	}
	a.hasher = password.NewPool(0, 0)
	a.users = auth.NewUsers(store, a.hasher, a.instance.Settings)
	limiter := auth.NewLimiter(store)
	a.sessions = auth.NewSessions(store, a.keys, a.instance.Settings, publicURL, log)
	a.signIns = auth.NewSignIns(store, a.sessions, a.users, m, limiter, a.instance.Settings, publicURL, log)
	if c.GeoIPFile != "" {
		if a.geoip, err = geoip.Open(c.GeoIPFile); err != nil {
			store.Close()
			return nil, fmt.Errorf("GeoIP file %q: %w", c.GeoIPFile, err)
		}
	}
	a.webhooks = newDispatcher(c, store, box, a.instance, m, log)
	a.server = web.NewServer(web.Deps{
		Store: store, Users: a.users, Instance: a.instance, Keys: a.keys, Hasher: a.hasher,
		Sessions: a.sessions, Limiter: limiter,
		SignIns: a.signIns,
		SignUps: auth.NewSignUps(store, a.sessions, a.users, m, limiter, a.instance.Settings, publicURL, log),
		Me:      auth.NewMe(store, a.sessions, a.users, m, limiter, a.instance.Settings, log),
		Inbox:   a.inbox, Log: log, Dev: c.Mode == modeDev, PublicURL: publicURL, TrustedProxies: c.TrustedProxies,
		CookieDomain: c.CookieDomain,
		GeoIP:        a.geoip,
		Box:          box,
		Webhooks:     a.webhooks,
		WebhookNet:   c.WebhookNet,
	})
	return a, nil
}

// noMail refuses to send: production without SMTP configured.
type noMail struct{}

func (noMail) Send(context.Context, mail.Message) error {
	return errors.New("mail is not configured: set LATCHKEY_SMTP_URL and LATCHKEY_MAIL_FROM")
}
