-- Revocations made by commands (the CLI, an import), read within a second by the serving process so its
-- credential cache forgets what they changed. AUTOINCREMENT: numbers are never reused once old rows
-- are pruned, so the server's "read past the last number seen" never skips a row.
CREATE TABLE revocation_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    revocation TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
