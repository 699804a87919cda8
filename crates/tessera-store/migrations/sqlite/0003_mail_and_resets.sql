-- Password resets and invites, the mail outbox, and forced password changes.

ALTER TABLE "user" ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE reset_token (
    reset_token_id INTEGER CONSTRAINT reset_token_pk PRIMARY KEY AUTOINCREMENT,
    user_id        BIGINT NOT NULL
        CONSTRAINT reset_token_user_fk REFERENCES "user" (user_id) ON DELETE CASCADE,
    token_hash     TEXT   NOT NULL CONSTRAINT reset_token_hash_unique UNIQUE,
    purpose        TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX reset_token_user_idx ON reset_token (user_id);

CREATE TABLE outbox (
    outbox_id       INTEGER CONSTRAINT outbox_pk PRIMARY KEY AUTOINCREMENT,
    user_id         BIGINT CONSTRAINT outbox_user_fk REFERENCES "user" (user_id) ON DELETE SET NULL,
    kind            TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending',
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    claimed_until   BIGINT,
    last_error      TEXT,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);
CREATE INDEX outbox_user_kind_idx ON outbox (user_id, kind, created_at);
