-- 0008: the light board's daily history, for the trends chart. Per office day, department and item kind, the
-- counts of open assignments by light as stored when the day was last recorded (the last run of the day stays).
-- green, yellow and red count every open assignment by its light, paused ones included; seriously_overdue (red ones
-- past the serious threshold) and paused are subsets of them. A department with nothing open has no row: absence
-- means zeros.
CREATE TABLE light_daily (
    day                TEXT NOT NULL,
    department_id      INTEGER NOT NULL REFERENCES departments (id),
    kind               TEXT NOT NULL,
    green              INTEGER NOT NULL,
    yellow             INTEGER NOT NULL,
    red                INTEGER NOT NULL,
    seriously_overdue  INTEGER NOT NULL,
    paused             INTEGER NOT NULL,
    recorded_at        TEXT NOT NULL,
    PRIMARY KEY (day, department_id, kind),
    CONSTRAINT light_daily_kind_known CHECK (kind IN ('request', 'task'))
);
