-- 0004: social sign-in. Configured OAuth/OIDC providers (secrets sealed with
-- the master key), the external accounts linked to users (provider tokens
-- sealed), and the in-flight authorization attempts, found by the SHA-256 of
-- their state so the state itself is never stored.

CREATE TABLE oauth_providers (
    id                       TEXT PRIMARY KEY,
    type                     TEXT NOT NULL,
    name                     TEXT NOT NULL,
    client_id                TEXT NOT NULL,
    client_secret_sealed     BLOB,
    scopes                   TEXT NOT NULL,
    enabled                  BOOLEAN NOT NULL,
    trust_verified_email     BOOLEAN NOT NULL,
    issuer                   TEXT NOT NULL,
    auth_url                 TEXT NOT NULL,
    token_url                TEXT NOT NULL,
    userinfo_url             TEXT NOT NULL,
    mapping                  TEXT NOT NULL,
    tenant                   TEXT NOT NULL,
    apple_team_id            TEXT NOT NULL,
    apple_key_id             TEXT NOT NULL,
    apple_private_key_sealed BLOB,
    managed_by_file          BOOLEAN NOT NULL,
    created_at               INTEGER NOT NULL,
    updated_at               INTEGER NOT NULL
);

CREATE TABLE external_accounts (
    id                   TEXT PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider_id          TEXT NOT NULL,
    provider_user_id     TEXT NOT NULL,
    email_address        TEXT NOT NULL,
    email_verified       BOOLEAN NOT NULL,
    first_name           TEXT NOT NULL,
    last_name            TEXT NOT NULL,
    username             TEXT NOT NULL,
    avatar_url           TEXT NOT NULL,
    access_token_sealed  BLOB,
    refresh_token_sealed BLOB,
    token_expiry         INTEGER NOT NULL,
    scopes               TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (provider_id, provider_user_id)
);
CREATE INDEX external_accounts_user_id ON external_accounts (user_id);

CREATE TABLE oauth_attempts (
    state_digest         BLOB PRIMARY KEY,
    provider_id          TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    sign_in_id           TEXT NOT NULL,
    sign_up_id           TEXT NOT NULL,
    user_id              TEXT NOT NULL,
    code_verifier_sealed BLOB NOT NULL,
    nonce                TEXT NOT NULL,
    redirect_url         TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    used_at              INTEGER NOT NULL
);
CREATE INDEX oauth_attempts_expires_at ON oauth_attempts (expires_at);
