-- A refresh chain's absolute lifetime (`TESSERA_TOKEN_MAX_AGE`): each access token remembers when the
-- login that began its chain happened, and a refresh carries it over. Existing tokens count from their
-- own creation.

ALTER TABLE access_token ADD COLUMN chain_started_at BIGINT NOT NULL DEFAULT 0;
UPDATE access_token SET chain_started_at = created_at;
