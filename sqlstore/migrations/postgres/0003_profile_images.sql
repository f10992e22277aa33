-- 0003: uploaded profile images (avatars), one per user at most. The user's
-- image_url points at /v1/images/{id}; the row goes with the user.

CREATE TABLE profile_images (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX profile_images_user_id ON profile_images (user_id);
