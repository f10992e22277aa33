package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/latchkeyhq/latchkey"
	"github.com/latchkeyhq/latchkey/instance"
)

// devKeys is written to DATA_DIR/dev-keys.json in dev mode so scripts can
// pick up the keys and URLs.
type devKeys struct {
	PublishableKey string `json:"publishable_key"`
	SecretKey      string `json:"secret_key"`
	FrontendAPIURL string `json:"frontend_api_url"`
	BackendAPIURL  string `json:"backend_api_url"`
}

// runServer runs `latchkey dev` or `latchkey serve` until ctx ends, then
// shuts down in order: HTTP first, then background workers, then the
// database.
func runServer(ctx context.Context, m mode, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := parseConfig(m, string(m), args, getenv, stderr)
	if err != nil {
		return err
	}
	log := c.newLogger(stderr)
	start := time.Now()
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (choose another with --addr or LATCHKEY_ADDR)", c.Addr, err)
	}
	a, err := openApp(ctx, c, log, ln.Addr().String(), getenv)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.store.Close()
	base := c.PublicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	if m == modeDev {
		keys, err := ensureDevKeys(ctx, c, a, base)
		if err != nil {
			ln.Close()
			a.geoip.Close()
			return err
		}
		printBanner(stdout, c, keys, base, a.inbox != nil)
	}

	srv := &http.Server{
		Handler:           a.server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	workers, stopWorkers := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	retention := func() int { return a.instance.Settings().Events.RetentionDays }
	purgeDeleted := func(ctx context.Context) (int64, error) {
		return a.store.PurgeDeletedWebhookEndpoints(ctx, eventSweepBatch)
	}
	wg.Go(func() { a.instance.Watch(workers, 5*time.Second) })
	wg.Go(func() { a.sessions.RunActivity(workers, 5*time.Second) }) // flushes once more when stopped
	wg.Go(func() { sweep(workers, log, "oauth_attempts", time.Minute, a.store.DeleteExpiredOAuthAttempts) })
	wg.Go(func() { sweep(workers, log, "oauth_pending", time.Hour, a.store.DeleteStaleOAuthPending) })
	wg.Go(func() {
		sweep(workers, log, "events", time.Hour, sweepOlderThan(a.store.DeleteEventsBefore, retention, time.Now))
	})
	wg.Go(func() {
		sweep(workers, log, "webhook_history", time.Hour, sweepOlderThan(a.store.DeleteWebhookHistoryBefore, retention, time.Now))
	})
	wg.Go(func() { sweep(workers, log, "deleted_webhook_endpoints", 10*time.Minute, purgeDeleted) })
	wg.Go(func() { a.webhooks.Run(workers) }) // lets requests in flight finish when stopped

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("latchkey ready", "mode", string(m), "addr", ln.Addr().String(), "version", latchkey.Version,
		"database", a.store.Engine(), "startup_ms", time.Since(start).Milliseconds())

	select {
	case err = <-serveErr:
	case <-ctx.Done():
		log.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	// The GeoIP file is memory-mapped: unmap it only when Shutdown has seen
	// every handler finish. Otherwise a straggler may still read it, and
	// exiting releases it anyway.
	if err == nil {
		a.geoip.Close()
	}
	stopWorkers()
	wg.Wait()
	a.signIns.WaitMail() // mail still being sent in the background
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	log.Info("stopped")
	return err
}

// ensureDevKeys reuses the secret key in dev-keys.json while it is valid,
// otherwise creates one, and rewrites the file with the current URLs.
func ensureDevKeys(ctx context.Context, c *config, a *app, base string) (*devKeys, error) {
	path := filepath.Join(c.DataDir, "dev-keys.json")
	var keys devKeys
	if raw, err := os.ReadFile(path); err == nil {
		json.Unmarshal(raw, &keys)
	}
	inst := a.instance.Instance()
	valid := false
	if keys.SecretKey != "" {
		k, err := a.store.APIKeyByDigest(ctx, instance.Digest(keys.SecretKey))
		valid = err == nil && !k.Revoked()
	}
	if !valid {
		secret, key := instance.NewAPIKey(inst, "dev")
		if err := a.store.CreateAPIKey(ctx, key); err != nil {
			return nil, err
		}
		keys.SecretKey = secret
	}
	keys.PublishableKey = inst.PublishableKey
	keys.FrontendAPIURL = base + "/v1"
	keys.BackendAPIURL = base + "/api/v1"
	raw, _ := json.MarshalIndent(keys, "", "  ")
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("write dev keys: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("write dev keys: %w", err)
	}
	return &keys, nil
}

func printBanner(w io.Writer, c *config, k *devKeys, base string, inbox bool) {
	db := "SQLite at " + c.DatabaseURL
	if c.postgres() {
		db = "PostgreSQL at " + redactURL(c.DatabaseURL)
	}
	fmt.Fprintf(w, `
  Latchkey %s is running in development mode.

  Frontend API     %s
  Backend API      %s
  JWKS             %s/.well-known/jwks.json
  Publishable key  %s
  Secret key       %s
  Data             %s
  Keys for scripts %s
%s
  Try: curl -H "Authorization: Bearer %s" %s/users

`, latchkey.Version, k.FrontendAPIURL, k.BackendAPIURL, base, k.PublishableKey, k.SecretKey, db,
		filepath.Join(c.DataDir, "dev-keys.json"), inboxLine(base, inbox), k.SecretKey, k.BackendAPIURL)
}

func inboxLine(base string, inbox bool) string {
	if !inbox {
		return ""
	}
	return "  Dev inbox        " + base + "/dev/inbox (mail is kept here, not sent)\n"
}
