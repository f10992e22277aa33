-- 0002: the Frontend API: browser clients and their sessions, resumable
-- sign-in and sign-up attempts, challenges (codes and links), durable
-- rate-limit counters shared by every process, the audit log, and a
-- failed-sign-in counter on users for lockout.

CREATE TABLE clients (
    id                     TEXT PRIMARY KEY,
    token_digest           BLOB NOT NULL,
    previous_digest        BLOB,
    rotated_at             INTEGER NOT NULL DEFAULT 0,
    last_active_session_id TEXT NOT NULL DEFAULT '',
    sign_in_id             TEXT NOT NULL DEFAULT '',
    sign_up_id             TEXT NOT NULL DEFAULT '',
    revoked_at             INTEGER NOT NULL DEFAULT 0,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE UNIQUE INDEX clients_token_digest ON clients (token_digest);
CREATE INDEX clients_previous_digest ON clients (previous_digest);

CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    client_id        TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status           TEXT NOT NULL,
    first_factor_at  INTEGER NOT NULL DEFAULT 0,
    second_factor_at INTEGER NOT NULL DEFAULT 0,
    last_active_at   INTEGER NOT NULL,
    expire_at        INTEGER NOT NULL,
    abandon_at       INTEGER NOT NULL DEFAULT 0,
    ip               TEXT NOT NULL DEFAULT '',
    user_agent       TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    country          TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    ended_at         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sessions_user_id ON sessions (user_id, status);
CREATE INDEX sessions_client_id ON sessions (client_id, status);

CREATE TABLE sign_ins (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    status             TEXT NOT NULL,
    identifier         TEXT NOT NULL DEFAULT '',
    identifier_type    TEXT NOT NULL DEFAULT '',
    user_id            TEXT NOT NULL DEFAULT '',
    strategy           TEXT NOT NULL DEFAULT '',
    first_factor_at    INTEGER NOT NULL DEFAULT 0,
    reset_verified     BOOLEAN NOT NULL DEFAULT 0,
    redirect_url       TEXT NOT NULL DEFAULT '',
    created_session_id TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    expire_at          INTEGER NOT NULL
);
CREATE INDEX sign_ins_client_id ON sign_ins (client_id);

CREATE TABLE sign_ups (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    status             TEXT NOT NULL,
    email_address      TEXT NOT NULL DEFAULT '',
    email_normalized   TEXT NOT NULL DEFAULT '',
    email_verified_at  INTEGER NOT NULL DEFAULT 0,
    phone_number       TEXT NOT NULL DEFAULT '',
    username           TEXT NOT NULL DEFAULT '',
    password_hash      TEXT NOT NULL DEFAULT '',
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT NOT NULL DEFAULT '',
    unsafe_metadata    TEXT NOT NULL DEFAULT '{}',
    legal_accepted_at  INTEGER NOT NULL DEFAULT 0,
    redirect_url       TEXT NOT NULL DEFAULT '',
    created_user_id    TEXT NOT NULL DEFAULT '',
    created_session_id TEXT NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    expire_at          INTEGER NOT NULL
);
CREATE INDEX sign_ups_client_id ON sign_ups (client_id);

CREATE TABLE challenges (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    owner_type   TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    target       TEXT NOT NULL,
    client_id    TEXT NOT NULL DEFAULT '',
    code_digest  BLOB,
    link_digest  BLOB,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    status       TEXT NOT NULL,
    redirect_url TEXT NOT NULL DEFAULT '',
    expire_at    INTEGER NOT NULL,
    verified_at  INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX challenges_owner ON challenges (owner_type, owner_id, created_at);
CREATE UNIQUE INDEX challenges_link_digest ON challenges (link_digest);

CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    type       TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    client_id  TEXT NOT NULL DEFAULT '',
    session_id TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_events_created_at ON audit_events (created_at, id);
CREATE INDEX audit_events_user_id ON audit_events (user_id, created_at);

ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
