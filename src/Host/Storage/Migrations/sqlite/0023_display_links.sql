-- 0023: display links: a wall screen's read-only access to the light board of a department and those below it, made
-- by an administrator or supervisor, revocable, stored by the key's hash only.
CREATE TABLE display_links (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    key_hash       TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    revoked_at     TEXT,
    last_used_at   TEXT
);
CREATE UNIQUE INDEX display_links_key ON display_links (key_hash);
