-- 0011: the light board's counts, kept by the database with every change of an assignment instead of counted from
-- the assignments on every read.
--
-- The item's kind is copied onto its assignments (it never changes), so the board's and lists' kind filter needs
-- no join.
ALTER TABLE assignments ADD COLUMN kind TEXT NOT NULL DEFAULT 'request' CHECK (kind IN ('request', 'task'));
UPDATE assignments SET kind = (SELECT i.kind FROM items i WHERE i.id = assignments.item_id);

-- Per department and kind: open assignments by light (paused ones included; seriously_overdue is a part of red,
-- paused a part of all three) and closed ones by how they ended. Written only by the compaction
-- (BoardCounts.CompactAsync), which folds board_count_changes into it.
CREATE TABLE board_counts (
    department_id      INTEGER NOT NULL REFERENCES departments (id),
    kind               TEXT NOT NULL,
    green              INTEGER NOT NULL DEFAULT 0,
    yellow             INTEGER NOT NULL DEFAULT 0,
    red                INTEGER NOT NULL DEFAULT 0,
    seriously_overdue  INTEGER NOT NULL DEFAULT 0,
    paused             INTEGER NOT NULL DEFAULT 0,
    done_on_time       INTEGER NOT NULL DEFAULT 0,
    done_late          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (department_id, kind)
);

-- What each change of an assignment did to the counts, inserted by the triggers below in the transaction of the
-- change; the board adds these to board_counts when it reads, and the compaction moves them into board_counts.
-- Moved by every compaction and recount (in their transactions): with the number of pending changes, which only
-- grows between two compactions, it names the state of the counts exactly, so a reader can tell that nothing changed
-- since it last read them.
CREATE TABLE board_counts_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
);
INSERT INTO board_counts_generation (id, generation) VALUES (1, 1);

CREATE TABLE board_count_changes (
    id                 INTEGER PRIMARY KEY,
    department_id      INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    green              INTEGER NOT NULL,
    yellow             INTEGER NOT NULL,
    red                INTEGER NOT NULL,
    seriously_overdue  INTEGER NOT NULL,
    paused             INTEGER NOT NULL,
    done_on_time       INTEGER NOT NULL,
    done_late          INTEGER NOT NULL
);

CREATE TRIGGER assignments_board_counts_insert AFTER INSERT ON assignments
BEGIN
    INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
    VALUES (NEW.department_id, NEW.kind, NEW.light = 'green', NEW.light = 'yellow', NEW.light = 'red',
            NEW.light = 'red' AND NEW.seriously_overdue, NEW.paused AND NEW.light IN ('green', 'yellow', 'red'),
            NEW.light = 'done-on-time', NEW.light = 'done-late');
END;

CREATE TRIGGER assignments_board_counts_delete AFTER DELETE ON assignments
BEGIN
    INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
    VALUES (OLD.department_id, OLD.kind, -(OLD.light = 'green'), -(OLD.light = 'yellow'), -(OLD.light = 'red'),
            -(OLD.light = 'red' AND OLD.seriously_overdue), -(OLD.paused AND OLD.light IN ('green', 'yellow', 'red')),
            -(OLD.light = 'done-on-time'), -(OLD.light = 'done-late'));
END;

CREATE TRIGGER assignments_board_counts_update AFTER UPDATE OF department_id, kind, light, seriously_overdue, paused ON assignments
WHEN OLD.department_id <> NEW.department_id OR OLD.kind <> NEW.kind OR OLD.light <> NEW.light
     OR OLD.seriously_overdue <> NEW.seriously_overdue OR OLD.paused <> NEW.paused
BEGIN
    INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
    VALUES (OLD.department_id, OLD.kind, -(OLD.light = 'green'), -(OLD.light = 'yellow'), -(OLD.light = 'red'),
            -(OLD.light = 'red' AND OLD.seriously_overdue), -(OLD.paused AND OLD.light IN ('green', 'yellow', 'red')),
            -(OLD.light = 'done-on-time'), -(OLD.light = 'done-late'));
    INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
    VALUES (NEW.department_id, NEW.kind, NEW.light = 'green', NEW.light = 'yellow', NEW.light = 'red',
            NEW.light = 'red' AND NEW.seriously_overdue, NEW.paused AND NEW.light IN ('green', 'yellow', 'red'),
            NEW.light = 'done-on-time', NEW.light = 'done-late');
END;

INSERT INTO board_counts (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
SELECT department_id, kind,
       SUM(light = 'green'), SUM(light = 'yellow'), SUM(light = 'red'),
       SUM(light = 'red' AND seriously_overdue), SUM(paused AND light IN ('green', 'yellow', 'red')),
       SUM(light = 'done-on-time'), SUM(light = 'done-late')
FROM assignments
GROUP BY department_id, kind;

CREATE INDEX assignments_forecast_red_idx ON assignments (due_on, department_id, kind)
    WHERE closed_at IS NULL AND paused = 0 AND light IN ('green', 'yellow');
CREATE INDEX assignments_forecast_yellow_idx ON assignments (next_change_at, department_id, kind, due_on)
    WHERE closed_at IS NULL AND light = 'green';
