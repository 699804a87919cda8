-- Embedded (full-app embedding) sessions carry an anti-CSRF token the client must send back with
-- the cookie; only its SHA-256 hash is kept. NULL for every other session.
ALTER TABLE session ADD COLUMN anti_csrf_hash TEXT;
