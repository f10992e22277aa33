package web

import (
	"context"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/latchkeyhq/latchkey"
)

type traceKey struct{}

func traceID(ctx context.Context) string {
	id, _ := ctx.Value(traceKey{}).(string)
	return id
}

// TraceHeader carries the trace id on every response.
const TraceHeader = "Latchkey-Trace-Id"

// observe assigns the trace id, sets the security headers every response
// gets, records metrics and writes one log line per request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := latchkey.NewID(latchkey.PrefixRequest)
		r = r.WithContext(context.WithValue(r.Context(), traceKey{}, id))
		h := w.Header()
		h.Set(TraceHeader, id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		elapsed := time.Since(start)
		s.metrics.observe(route, r.Method, rec.status, elapsed)
		s.log.Info("request", "trace_id", id, "method", r.Method, "route", route, "status", rec.status,
			"duration_ms", float64(elapsed.Microseconds())/1000, "bytes", rec.bytes)
	})
}

// recoverPanics turns a panic into internal_error and a logged stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			s.log.Error("panic", "trace_id", traceID(r.Context()), "method", r.Method, "path", r.URL.Path,
				"panic", v, "stack", string(debug.Stack()))
			if rec, ok := w.(*statusRecorder); ok && rec.wrote {
				return // headers are gone; the client sees a truncated response
			}
			s.writeError(w, r, latchkey.NewError(latchkey.CodeInternal, ""))
		}()
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
