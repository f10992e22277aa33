package delivery

import "github.com/prometheus/client_golang/prometheus"

// metrics are the dispatcher's Prometheus collectors; the web server's
// registry serves them on /metrics.
type metrics struct {
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
	disabled prometheus.Counter
}

func newMetrics() *metrics {
	return &metrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "latchkey_webhook_attempts_total", Help: "Webhook delivery attempts by outcome (succeeded or failed); test events included.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "latchkey_webhook_attempt_duration_seconds", Help: "Time from sending a webhook request to its response or failure.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}),
		disabled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "latchkey_webhook_endpoints_auto_disabled_total", Help: "Webhook endpoints disabled after failing for 5 days.",
		}),
	}
}

// Collectors returns the dispatcher's metrics, for a Prometheus registry:
// attempts by outcome, attempt latency, requests in flight, endpoints
// disabled for failing.
func (d *Dispatcher) Collectors() []prometheus.Collector {
	return []prometheus.Collector{d.metrics.attempts, d.metrics.latency, d.metrics.disabled,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "latchkey_webhook_requests_in_flight", Help: "Webhook requests being sent now.",
		}, func() float64 { return float64(d.flight.total()) }),
	}
}
