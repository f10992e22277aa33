package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/latchkeyhq/latchkey/delivery"
	"github.com/latchkeyhq/latchkey/password"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the server's own Prometheus registry (not the global one, so
// tests can run many servers in one process).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	handler  http.Handler
}

func newMetrics(pool *password.Pool, webhooks *delivery.Dispatcher) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "latchkey_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "latchkey_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
	m.registry.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "latchkey_password_hash_queue", Help: "Password hash requests waiting for a worker.",
		}, func() float64 { return float64(pool.Waiting()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "latchkey_password_hash_running", Help: "Password hashes running now.",
		}, func() float64 { return float64(pool.Running()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "latchkey_password_hash_workers", Help: "Password hashes that may run at once.",
		}, func() float64 { return float64(pool.Workers()) }),
	)
	if webhooks != nil {
		m.registry.MustRegister(webhooks.Collectors()...)
	}
	m.handler = promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

// metricsHandler is GET /metrics. Outside dev mode it needs a secret key, so
// the public cannot read traffic figures.
func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) error {
	if !s.dev {
		if _, err := s.authenticateSecretKey(r); err != nil {
			return err
		}
	}
	w.Header().Del("Content-Security-Policy")
	s.metrics.handler.ServeHTTP(w, r)
	return nil
}
