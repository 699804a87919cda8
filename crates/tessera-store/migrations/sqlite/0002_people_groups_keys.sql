-- People management, features on groups, API keys.

ALTER TABLE "user" ADD COLUMN login_attributes TEXT;

CREATE TABLE group_feature (
    permission_group_id BIGINT NOT NULL
        CONSTRAINT group_feature_group_fk REFERENCES permission_group (permission_group_id) ON DELETE CASCADE,
    feature             TEXT   NOT NULL,
    CONSTRAINT group_feature_pk PRIMARY KEY (permission_group_id, feature)
);

CREATE TABLE api_key (
    api_key_id    INTEGER CONSTRAINT api_key_pk PRIMARY KEY AUTOINCREMENT,
    name          TEXT   NOT NULL,
    key_prefix    TEXT   NOT NULL CONSTRAINT api_key_prefix_unique UNIQUE,
    key_hash      TEXT   NOT NULL,
    user_id       BIGINT NOT NULL CONSTRAINT api_key_user_fk REFERENCES "user" (user_id),
    creator_id    BIGINT NOT NULL CONSTRAINT api_key_creator_fk REFERENCES "user" (user_id),
    updated_by_id BIGINT NOT NULL CONSTRAINT api_key_updated_by_fk REFERENCES "user" (user_id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_key_name_unique ON api_key (lower(name));
