-- Users, groups, sessions, login history, throttling and settings. Times are epoch milliseconds.

CREATE TABLE setting (
    key   TEXT NOT NULL CONSTRAINT setting_pk PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE "user" (
    user_id        INTEGER CONSTRAINT user_pk PRIMARY KEY AUTOINCREMENT,
    email          TEXT    NOT NULL CONSTRAINT user_email_unique UNIQUE,
    first_name     TEXT,
    last_name      TEXT,
    password_hash  TEXT,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    is_qbnewb      BOOLEAN NOT NULL DEFAULT TRUE,
    sso_source     TEXT,
    locale         TEXT,
    user_type      TEXT    NOT NULL DEFAULT 'personal',
    date_joined    BIGINT  NOT NULL,
    last_login     BIGINT,
    updated_at     BIGINT  NOT NULL,
    deactivated_at BIGINT
);

CREATE TABLE permission_group (
    permission_group_id INTEGER CONSTRAINT permission_group_pk PRIMARY KEY AUTOINCREMENT,
    name                TEXT NOT NULL,
    magic_group_type    TEXT
);
CREATE UNIQUE INDEX permission_group_name_unique ON permission_group (lower(name));

INSERT INTO permission_group (permission_group_id, name, magic_group_type)
VALUES (1, 'All Users', 'all-internal-users'), (2, 'Administrators', 'admin');

CREATE TABLE group_membership (
    group_membership_id INTEGER CONSTRAINT group_membership_pk PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT NOT NULL
        CONSTRAINT group_membership_user_fk REFERENCES "user" (user_id) ON DELETE CASCADE,
    permission_group_id BIGINT NOT NULL
        CONSTRAINT group_membership_group_fk REFERENCES permission_group (permission_group_id) ON DELETE CASCADE,
    CONSTRAINT group_membership_unique UNIQUE (user_id, permission_group_id)
);
CREATE INDEX group_membership_group_idx ON group_membership (permission_group_id);

CREATE TABLE session (
    session_id INTEGER CONSTRAINT session_pk PRIMARY KEY AUTOINCREMENT,
    key_hash   TEXT   NOT NULL CONSTRAINT session_key_hash_unique UNIQUE,
    user_id    BIGINT NOT NULL CONSTRAINT session_user_fk REFERENCES "user" (user_id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX session_user_idx ON session (user_id);
CREATE INDEX session_created_at_idx ON session (created_at);

CREATE TABLE login_history (
    login_history_id   INTEGER CONSTRAINT login_history_pk PRIMARY KEY AUTOINCREMENT,
    user_id            BIGINT NOT NULL
        CONSTRAINT login_history_user_fk REFERENCES "user" (user_id) ON DELETE CASCADE,
    session_id         BIGINT
        CONSTRAINT login_history_session_fk REFERENCES session (session_id) ON DELETE SET NULL,
    device_id          TEXT   NOT NULL,
    device_description TEXT   NOT NULL,
    ip_address         TEXT   NOT NULL,
    timestamp          BIGINT NOT NULL
);
CREATE INDEX login_history_user_idx ON login_history (user_id, timestamp);
CREATE INDEX login_history_session_idx ON login_history (session_id);

CREATE TABLE throttle_event (
    throttle_event_id INTEGER CONSTRAINT throttle_event_pk PRIMARY KEY AUTOINCREMENT,
    throttler         TEXT   NOT NULL,
    key               TEXT   NOT NULL,
    at                BIGINT NOT NULL
);
CREATE INDEX throttle_event_key_idx ON throttle_event (throttler, key, at);
CREATE INDEX throttle_event_at_idx ON throttle_event (at);
