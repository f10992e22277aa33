-- 0001: the first schema: the instance and its settings, users and their
-- identifiers, Backend API keys and session signing keys.
-- Times are Unix milliseconds; 0 means "never". Booleans are BOOLEAN.

CREATE TABLE instances (
    id               TEXT PRIMARY KEY,
    environment      TEXT NOT NULL,
    publishable_key  TEXT NOT NULL,
    settings         TEXT NOT NULL,
    settings_version BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE users (
    id                       TEXT PRIMARY KEY,
    external_id              TEXT NOT NULL DEFAULT '',
    first_name               TEXT NOT NULL DEFAULT '',
    last_name                TEXT NOT NULL DEFAULT '',
    image_url                TEXT NOT NULL DEFAULT '',
    primary_email_address_id TEXT NOT NULL DEFAULT '',
    primary_phone_number_id  TEXT NOT NULL DEFAULT '',
    password_hash            TEXT NOT NULL DEFAULT '',
    password_updated_at      BIGINT NOT NULL DEFAULT 0,
    public_metadata          TEXT NOT NULL DEFAULT '{}',
    private_metadata         TEXT NOT NULL DEFAULT '{}',
    unsafe_metadata          TEXT NOT NULL DEFAULT '{}',
    banned                   BOOLEAN NOT NULL DEFAULT FALSE,
    locked                   BOOLEAN NOT NULL DEFAULT FALSE,
    lockout_expires_at       BIGINT NOT NULL DEFAULT 0,
    version                  BIGINT NOT NULL DEFAULT 1,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    last_sign_in_at          BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX users_external_id ON users (external_id) WHERE external_id <> '';
CREATE INDEX users_created_at ON users (created_at, id);
CREATE INDEX users_updated_at ON users (updated_at, id);
CREATE INDEX users_last_sign_in_at ON users (last_sign_in_at, id);

CREATE TABLE identifiers (
    id                    TEXT PRIMARY KEY,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type                  TEXT NOT NULL,
    value                 TEXT NOT NULL,
    normalized            TEXT NOT NULL,
    verification_status   TEXT NOT NULL,
    verification_strategy TEXT NOT NULL DEFAULT '',
    verified_at           BIGINT NOT NULL DEFAULT 0,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE UNIQUE INDEX identifiers_type_normalized ON identifiers (type, normalized);
CREATE INDEX identifiers_user_id ON identifiers (user_id, created_at);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL DEFAULT '',
    prefix       TEXT NOT NULL,
    digest       BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX api_keys_digest ON api_keys (digest);

CREATE TABLE signing_keys (
    id                    TEXT PRIMARY KEY,
    algorithm             TEXT NOT NULL,
    state                 TEXT NOT NULL,
    public_key            BYTEA NOT NULL,
    encrypted_private_key BYTEA NOT NULL,
    created_at            BIGINT NOT NULL,
    activated_at          BIGINT NOT NULL DEFAULT 0,
    retired_at            BIGINT NOT NULL DEFAULT 0
);
-- At most one current and one next key.
CREATE UNIQUE INDEX signing_keys_one_per_state ON signing_keys (state) WHERE state IN ('current', 'next');
