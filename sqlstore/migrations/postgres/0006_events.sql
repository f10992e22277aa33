-- 0006: the transactional outbox. Every user-visible change writes an event
-- in its own transaction. ordinal is the feed's cursor and follows commit
-- order: it is taken from the single row of event_cursor, which the writing
-- transaction updates and so keeps locked until it commits (see
-- sqlstore/events.go). event_sequences counts each object's events, so the
-- Nth event of an object has sequence N even after old events are swept.

CREATE TABLE event_cursor (
    id    INTEGER PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO event_cursor (id, value) VALUES (1, 0);

CREATE TABLE event_sequences (
    object_id TEXT PRIMARY KEY,
    sequence  BIGINT NOT NULL
);

CREATE TABLE events (
    id         TEXT PRIMARY KEY,
    ordinal    BIGINT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    sequence   BIGINT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_type_ordinal ON events (type, ordinal);
CREATE INDEX events_created_at ON events (created_at);
