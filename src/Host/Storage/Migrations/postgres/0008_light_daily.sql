-- 0008: the light board's daily history, for the trends chart. Per office day, department and item kind, the
-- counts of open assignments by light as stored when the day was last recorded (the last run of the day stays).
-- green, yellow and red count every open assignment by its light, paused ones included; seriously_overdue (red ones
-- past the serious threshold) and paused are subsets of them. A department with nothing open has no row: absence
-- means zeros.
CREATE TABLE light_daily (
    day                date NOT NULL,
    department_id      bigint NOT NULL REFERENCES departments (id),
    kind               text NOT NULL,
    green              integer NOT NULL,
    yellow             integer NOT NULL,
    red                integer NOT NULL,
    seriously_overdue  integer NOT NULL,
    paused             integer NOT NULL,
    recorded_at        timestamptz NOT NULL,
    PRIMARY KEY (day, department_id, kind),
    CONSTRAINT light_daily_kind_known CHECK (kind IN ('request', 'task'))
);
