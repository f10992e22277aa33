package web

import (
	"context"
	"net/http"
	"time"
)

// healthz is GET /healthz: the process is up and serving.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz is GET /readyz: the database answers, every migration is applied
// and the signing keys load. Load balancers send traffic only when it is 200.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "migrations": "ok", "signing_keys": "ok"}
	ready := true
	if err := s.store.Ping(ctx); err != nil {
		checks["database"], ready = "unreachable", false
		s.log.Warn("readyz: database", "err", err)
	} else if n, err := s.store.PendingMigrations(ctx); err != nil || n > 0 {
		checks["migrations"], ready = "pending", false
	}
	if _, _, err := s.keys.Current(ctx); err != nil {
		checks["signing_keys"], ready = "unavailable", false
		s.log.Warn("readyz: signing keys", "err", err)
	}
	status, word := http.StatusOK, "ok"
	if !ready {
		status, word = http.StatusServiceUnavailable, "unavailable"
	}
	writeJSON(w, status, map[string]any{"status": word, "checks": checks})
	return nil
}
