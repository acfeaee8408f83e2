-- 0004: sign-in and API tokens, and the record of every attempt to act.

-- People signing in to the board: ASP.NET Core's password hasher (PBKDF2), never the password itself.
ALTER TABLE users ADD COLUMN password_hash TEXT;

-- Personal API tokens for programs: only a SHA-256 of the token is kept; the token is shown once.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    revoked_at    TEXT,
    last_used_at  TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);

-- Every attempt to act through the API, allowed or not.
CREATE TABLE access_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    method   TEXT NOT NULL,
    path     TEXT NOT NULL,
    status   INTEGER NOT NULL,
    allowed  INTEGER NOT NULL,
    reason   TEXT
);
CREATE INDEX access_log_at_idx ON access_log (at);
CREATE INDEX access_log_actor_idx ON access_log (actor, at);
