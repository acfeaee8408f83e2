-- 0003: workflow definitions as loaded, assignments, step deadlines, and the per-item hash chain of history.

-- Every definition version ever loaded, with its exact content: items stay on the version they started on even
-- after the file moves on, and a file changed under an unchanged version number is caught by its hash.
CREATE TABLE workflow_definitions (
    id            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    content       TEXT NOT NULL,
    first_loaded_at TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

-- Where the item stands in its current step, and how it ended.
ALTER TABLE items ADD COLUMN step_entered_at TEXT;
ALTER TABLE items ADD COLUMN step_due_on TEXT;
ALTER TABLE items ADD COLUMN result TEXT;

-- What departments own: one per department a task is assigned to (lead or responsible); a disclosure request has
-- one, for its handling department. Lights, actions and board counts are per assignment.
CREATE TABLE assignments (
    id                 INTEGER PRIMARY KEY,
    item_id            INTEGER NOT NULL REFERENCES items (id),
    department_id      INTEGER NOT NULL REFERENCES departments (id),
    role               TEXT NOT NULL,
    step               TEXT NOT NULL,
    light              TEXT NOT NULL,
    due_on             TEXT,
    due_at             TEXT,
    paused             INTEGER NOT NULL DEFAULT 0,
    seriously_overdue  INTEGER NOT NULL DEFAULT 0,
    next_change_at     TEXT,
    calendar_version   INTEGER,
    result             TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    closed_at          TEXT,
    CONSTRAINT assignments_role_known CHECK (role IN ('handling', 'lead', 'responsible')),
    CONSTRAINT assignments_light_known CHECK (light IN ('green', 'yellow', 'red', 'done-on-time', 'done-late')),
    CONSTRAINT assignments_closed_light CHECK ((closed_at IS NULL) = (light IN ('green', 'yellow', 'red')))
);
CREATE UNIQUE INDEX assignments_item_department_key ON assignments (item_id, department_id);
CREATE INDEX assignments_next_change_idx ON assignments (next_change_at) WHERE next_change_at IS NOT NULL;
CREATE INDEX assignments_open_department_light_idx ON assignments (department_id, light) WHERE closed_at IS NULL;

-- A clock event belongs to the item's own clock (assignment_id null) or to one assignment's clock.
ALTER TABLE clock_events ADD COLUMN assignment_id INTEGER REFERENCES assignments (id);

-- Each history entry carries the hash of the previous entry of the same item and its own hash, so any edit,
-- deletion or reordering breaks the chain. Existing entries (written before this migration) start the chains.
ALTER TABLE item_history ADD COLUMN prev_hash TEXT;
ALTER TABLE item_history ADD COLUMN hash TEXT;

-- Periodic digests over all chains: the head (last sequence and hash) of every item's chain when the digest was
-- taken, and a hash over them, chained to the previous digest. A deleted item is missing from the heads.
CREATE TABLE history_digests (
    id          INTEGER PRIMARY KEY,
    taken_at    TEXT NOT NULL,
    items       INTEGER NOT NULL,
    entries     INTEGER NOT NULL,
    prev_digest TEXT,
    digest      TEXT NOT NULL
);
CREATE TABLE history_heads (
    item_id  INTEGER PRIMARY KEY,
    seq      INTEGER NOT NULL,
    hash     TEXT NOT NULL
);
