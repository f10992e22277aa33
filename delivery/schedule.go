// Package delivery sends webhooks: a pool of workers claims due deliveries
// from the store (queued by the transaction that wrote each event), signs
// them per the Standard Webhooks specification, POSTs them through the SSRF
// guard, records every attempt, retries on a fixed schedule, and disables an
// endpoint that keeps failing.
//
// Delivery is at least once: a claim is a lease, so a process that dies
// mid-send leaves its deliveries to be claimed again when the lease ends,
// and a receiver may see an event twice, always with the same webhook-id
// (the event's id). Order is not guaranteed; events carry a per-object
// sequence for that.
package delivery

import (
	"time"

	"github.com/latchkeyhq/latchkey/sqlstore"
)

// Schedule is the delay before each attempt of a delivery: the first at
// once, then retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (the
// Standard Webhooks / Svix schedule, about 28 hours in all). After the last
// one fails the delivery is failed until replayed.
var Schedule = []time.Duration{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// DisableAfter is how long an endpoint may fail continuously (no successful
// attempt in between) before it is disabled.
const DisableAfter = 5 * 24 * time.Hour

// StreakGap: a failure more than this long after the previous one starts a
// new failure streak. The longest wait between retries is 10 hours, so an
// endpoint that keeps receiving events and failing them fails at least that
// often; one that got no traffic for days is not failing.
const StreakGap = 12 * time.Hour

// Health is the policy the dispatcher records attempts with.
var Health = sqlstore.HealthPolicy{DisableAfter: DisableAfter, StreakGap: StreakGap}

// Lease is how long a claim hides a delivery from other workers. It is
// longer than a request may take (netguard.ClientTimeout) plus the time to
// record the result, so a live worker never loses its claim.
const Lease = time.Minute

// NextAttempt returns when to make attempt n+1 after attempt n (from 1)
// failed at t, or the zero time when n was the last.
func NextAttempt(n int, t time.Time) time.Time {
	if n < 1 || n >= len(Schedule) {
		return time.Time{}
	}
	return t.Add(Schedule[n])
}
