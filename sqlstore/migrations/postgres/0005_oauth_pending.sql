-- 0005: the server side of social sign-in. A sign-in or sign-up that uses
-- a provider keeps its state here (one row per attempt): the strategy, how
-- far it got, and, once the provider answered, the identity it vouched for
-- (tokens sealed) until a transfer or a later sign-up step uses it. A
-- sign-up remembers the provider whose identity it carries, so it needs no
-- password.

CREATE TABLE oauth_pending (
    owner_id             TEXT PRIMARY KEY,
    owner_type           TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    provider_id          TEXT NOT NULL,
    status               TEXT NOT NULL,
    user_id              TEXT NOT NULL,
    provider_user_id     TEXT NOT NULL,
    email_address        TEXT NOT NULL,
    email_verified       BOOLEAN NOT NULL,
    first_name           TEXT NOT NULL,
    last_name            TEXT NOT NULL,
    username             TEXT NOT NULL,
    avatar_url           TEXT NOT NULL,
    access_token_sealed  BYTEA,
    refresh_token_sealed BYTEA,
    token_expiry         BIGINT NOT NULL,
    scopes               TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX oauth_pending_updated_at ON oauth_pending (updated_at);

ALTER TABLE sign_ups ADD COLUMN external_provider_id TEXT NOT NULL DEFAULT '';
