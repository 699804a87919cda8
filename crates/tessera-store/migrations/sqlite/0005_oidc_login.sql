-- Browser OpenID logins in flight, between /auth/oidc/start and the provider's callback. Keyed by the
-- SHA-256 of their `state`; each row is taken (deleted) once.

CREATE TABLE oidc_login (
    state_hash    TEXT   NOT NULL CONSTRAINT oidc_login_pk PRIMARY KEY,
    nonce         TEXT   NOT NULL,
    pkce_verifier TEXT   NOT NULL,
    return_to     TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX oidc_login_created_idx ON oidc_login (created_at);
