-- Mails that carry a single-use link: their bodies are wiped once sent, and they are dropped
-- unsent once the link has expired.
ALTER TABLE outbox ADD COLUMN secret_expires_at BIGINT;
