-- 0009: department groups and plan imports.
-- A group is a name plans use for several departments (各区县（市）政府, 市政府各部门); the import expands it to its
-- members. A group has at least one member row; its name may equal no department's.
CREATE TABLE department_groups (
    name           TEXT NOT NULL,
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    PRIMARY KEY (name, department_id),
    CONSTRAINT department_groups_name_not_blank CHECK (trim(name) <> '')
);

-- An uploaded plan: the file itself (so what is confirmed is exactly what was previewed), the dry run's report,
-- and once confirmed who confirmed it and what was created. status: previewed, then imported (once).
CREATE TABLE imports (
    id             INTEGER PRIMARY KEY,
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    content        BLOB NOT NULL,
    year           INTEGER,
    plan_name      TEXT NOT NULL,
    uploaded_by    TEXT NOT NULL,
    uploaded_at    TEXT NOT NULL,
    report         TEXT NOT NULL,
    status         TEXT NOT NULL,
    confirmed_by   TEXT,
    confirmed_at   TEXT,
    outcome        TEXT,
    CONSTRAINT imports_status_known CHECK (status IN ('previewed', 'imported'))
);
CREATE INDEX imports_uploaded_idx ON imports (uploaded_at DESC);
