-- 0007: webhook endpoints and delivery. An event's deliveries are inserted
-- by the transaction that writes the event (sqlstore/events.go), one per
-- enabled endpoint that wants its type, so a committed event is always
-- queued and a rolled-back one never is. Workers claim due deliveries
-- (FOR UPDATE SKIP LOCKED on PostgreSQL) for a lease; a worker that dies
-- leaves its claims to expire and be taken again: at-least-once, always
-- with the event's id as webhook-id. Secrets and custom headers are sealed
-- with the master key.

CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    all_types       INTEGER NOT NULL,
    headers_sealed  BLOB,
    enabled         INTEGER NOT NULL,
    disabled_reason TEXT NOT NULL,
    disabled_at     INTEGER,
    failing_since   INTEGER,
    last_failed_at  INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE webhook_endpoint_types (
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    PRIMARY KEY (endpoint_id, type)
);

CREATE TABLE webhook_secrets (
    id            TEXT PRIMARY KEY,
    endpoint_id   TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    secret_sealed BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

-- No foreign keys to webhook_endpoints below: a key check would lock the
-- endpoint row (KEY SHARE) from inside the commit that holds the event
-- cursor, so deleting or editing an endpoint would stall every commit that
-- writes an event. The claim joins the endpoints, so a delivery of a
-- deleted endpoint is never sent; the sweeper purges those rows.
CREATE TABLE webhook_deliveries (
    endpoint_id     TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_ordinal   INTEGER NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER NOT NULL,
    claim_token     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, event_ordinal) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    latency_ms  INTEGER NOT NULL,
    response    TEXT NOT NULL,
    error       TEXT NOT NULL,
    succeeded   INTEGER NOT NULL,
    test        INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, created_at);
CREATE INDEX webhook_attempts_created ON webhook_attempts (created_at);

-- Endpoints deleted whose deliveries and attempts the sweeper still has to
-- purge, a batch at a time, so a delete never holds a long transaction.
CREATE TABLE webhook_purges (
    endpoint_id TEXT PRIMARY KEY,
    deleted_at  INTEGER NOT NULL
);
