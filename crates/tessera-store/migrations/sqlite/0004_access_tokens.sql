-- Access tokens of the token API (`/users/login`), stored as SHA-256 hashes.

CREATE TABLE access_token (
    access_token_id INTEGER CONSTRAINT access_token_pk PRIMARY KEY AUTOINCREMENT,
    token_hash      TEXT   NOT NULL CONSTRAINT access_token_hash_unique UNIQUE,
    user_id         BIGINT NOT NULL
        CONSTRAINT access_token_user_fk REFERENCES "user" (user_id) ON DELETE CASCADE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX access_token_user_idx ON access_token (user_id);
CREATE INDEX access_token_expires_idx ON access_token (expires_at);
