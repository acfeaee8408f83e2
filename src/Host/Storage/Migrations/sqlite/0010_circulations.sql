-- 0010: circulations (通报): the statistics and scores of an office's departments over a period, as generated and
-- sent. kind: monthly (generated on the 1st for the month before, once per office and month) or on-demand (any
-- period, asked for by a supervisor). report is the statistics as JSON, kept as it was when generated.
CREATE TABLE circulations (
    id                    INTEGER PRIMARY KEY,
    office_department_id  INTEGER NOT NULL REFERENCES departments (id),
    kind                  TEXT NOT NULL,
    period_from           TEXT NOT NULL,
    period_to             TEXT NOT NULL,
    generated_at          TEXT NOT NULL,
    generated_by          TEXT NOT NULL,
    rules                 TEXT NOT NULL,
    report                TEXT NOT NULL,
    CONSTRAINT circulations_kind_known CHECK (kind IN ('monthly', 'on-demand')),
    CONSTRAINT circulations_period CHECK (period_from <= period_to)
);
CREATE UNIQUE INDEX circulations_monthly_key ON circulations (office_department_id, period_from) WHERE kind = 'monthly';
CREATE INDEX circulations_generated_idx ON circulations (generated_at DESC);
