-- 0001: departments, users, supervised items and their append-only history.
-- Instants are TEXT in UTC as yyyy-MM-ddTHH:mm:ss.fffffffZ (fixed width, so text order is time order);
-- days are TEXT yyyy-MM-dd; booleans are INTEGER 0/1.

CREATE TABLE departments (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES departments (id),
    created_at  TEXT NOT NULL,
    CONSTRAINT departments_name_not_blank CHECK (trim(name) <> '')
);
CREATE UNIQUE INDEX departments_name_key ON departments (name);
CREATE INDEX departments_parent_idx ON departments (parent_id);

-- Every name a department goes by, its official name included, so that one unique index makes a name or alias
-- identify at most one department (plan documents use short names such as 市政数局).
CREATE TABLE department_names (
    name           TEXT PRIMARY KEY,
    department_id  INTEGER NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    is_alias       INTEGER NOT NULL
);
CREATE INDEX department_names_department_idx ON department_names (department_id);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    login          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    role           TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    CONSTRAINT users_role_known CHECK (role IN ('handler', 'lead', 'supervisor', 'admin')),
    CONSTRAINT users_login_not_blank CHECK (trim(login) <> '')
);
CREATE UNIQUE INDEX users_login_key ON users (lower(login));
CREATE INDEX users_department_idx ON users (department_id);

CREATE TABLE items (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL,
    title               TEXT NOT NULL,
    department_id       INTEGER NOT NULL REFERENCES departments (id),
    definition_id       TEXT NOT NULL,
    definition_version  INTEGER NOT NULL,
    step                TEXT NOT NULL,
    received_on         TEXT NOT NULL,
    light               TEXT NOT NULL,
    due_on              TEXT,
    due_at              TEXT,
    paused              INTEGER NOT NULL DEFAULT 0,
    next_change_at      TEXT,
    payload             TEXT NOT NULL DEFAULT '{}',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    closed_at           TEXT,
    version             INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT items_kind_known CHECK (kind IN ('request', 'task')),
    CONSTRAINT items_light_known CHECK (light IN ('green', 'yellow', 'red', 'done-on-time', 'done-late')),
    CONSTRAINT items_one_due CHECK (due_on IS NULL OR due_at IS NULL),
    CONSTRAINT items_closed_light CHECK ((closed_at IS NULL) = (light IN ('green', 'yellow', 'red'))),
    CONSTRAINT items_payload_json CHECK (json_valid(payload))
);
-- The due index: the transition job takes rows whose next change has come.
CREATE INDEX items_next_change_idx ON items (next_change_at) WHERE next_change_at IS NOT NULL;
-- Board counts per department and light over open items.
CREATE INDEX items_open_department_light_idx ON items (department_id, light) WHERE closed_at IS NULL;
CREATE INDEX items_kind_received_idx ON items (kind, received_on);

CREATE TABLE item_history (
    item_id     INTEGER NOT NULL REFERENCES items (id),
    seq         INTEGER NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_step   TEXT,
    to_step     TEXT,
    from_light  TEXT,
    to_light    TEXT,
    detail      TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (item_id, seq),
    CONSTRAINT item_history_seq_positive CHECK (seq > 0),
    CONSTRAINT item_history_detail_json CHECK (json_valid(detail))
) WITHOUT ROWID;
CREATE INDEX item_history_at_idx ON item_history (at);

-- History is a record: once written it is never changed or removed.
CREATE TRIGGER item_history_no_update BEFORE UPDATE ON item_history
BEGIN
    SELECT RAISE(ABORT, 'item_history is append-only: UPDATE is not allowed');
END;
CREATE TRIGGER item_history_no_delete BEFORE DELETE ON item_history
BEGIN
    SELECT RAISE(ABORT, 'item_history is append-only: DELETE is not allowed');
END;
