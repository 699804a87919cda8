-- Personal API keys: a person's own keys (`tsk_…`), stored as SHA-256 hashes and found by their
-- 12-character prefix, each acting as its owner restricted to some of the owner's groups.
-- Deleted (never marked) on revocation and when the owner is deactivated.

CREATE TABLE personal_api_key (
    personal_api_key_id INTEGER CONSTRAINT personal_api_key_pk PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL
        CONSTRAINT personal_api_key_user_fk REFERENCES "user" (user_id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    key_prefix   TEXT   NOT NULL CONSTRAINT personal_api_key_prefix_unique UNIQUE,
    key_hash     TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX personal_api_key_user_idx ON personal_api_key (user_id);

CREATE TABLE personal_api_key_group (
    personal_api_key_id BIGINT NOT NULL
        CONSTRAINT personal_api_key_group_key_fk
        REFERENCES personal_api_key (personal_api_key_id) ON DELETE CASCADE,
    permission_group_id BIGINT NOT NULL
        CONSTRAINT personal_api_key_group_group_fk
        REFERENCES permission_group (permission_group_id) ON DELETE CASCADE,
    CONSTRAINT personal_api_key_group_pk PRIMARY KEY (personal_api_key_id, permission_group_id)
);
