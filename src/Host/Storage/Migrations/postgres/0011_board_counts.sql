-- 0011: the light board's counts, kept by the database with every change of an assignment instead of counted from
-- the assignments on every read (a million of them at a province).
--
-- The item's kind is copied onto its assignments (it never changes), so the board's and lists' kind filter needs
-- no join.
ALTER TABLE assignments ADD COLUMN kind text;
UPDATE assignments a SET kind = i.kind FROM items i WHERE i.id = a.item_id;
ALTER TABLE assignments ALTER COLUMN kind SET NOT NULL;
ALTER TABLE assignments ADD CONSTRAINT assignments_kind_known CHECK (kind IN ('request', 'task'));

-- Per department and kind: open assignments by light (paused ones included; seriously_overdue is a part of red,
-- paused a part of all three) and closed ones by how they ended. Written only by the compaction
-- (BoardCounts.CompactAsync), which folds board_count_changes into it.
CREATE TABLE board_counts (
    department_id      bigint NOT NULL REFERENCES departments (id),
    kind               text NOT NULL,
    green              bigint NOT NULL DEFAULT 0,
    yellow             bigint NOT NULL DEFAULT 0,
    red                bigint NOT NULL DEFAULT 0,
    seriously_overdue  bigint NOT NULL DEFAULT 0,
    paused             bigint NOT NULL DEFAULT 0,
    done_on_time       bigint NOT NULL DEFAULT 0,
    done_late          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (department_id, kind)
);

-- What each change of an assignment did to the counts, inserted by the trigger below in the transaction of the
-- change. Insert-only, so writers never wait on (or deadlock over) a shared counter row; the board adds these to
-- board_counts when it reads, and the compaction moves them into board_counts in one transaction.
-- Moved by every compaction and recount (in their transactions): with the number of pending changes, which only
-- grows between two compactions, it names the state of the counts exactly, so a reader can tell that nothing changed
-- since it last read them.
CREATE TABLE board_counts_generation (
    id          integer PRIMARY KEY CHECK (id = 1),
    generation  bigint NOT NULL
);
INSERT INTO board_counts_generation (id, generation) VALUES (1, 1);

CREATE TABLE board_count_changes (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    department_id      bigint NOT NULL,
    kind               text NOT NULL,
    green              integer NOT NULL,
    yellow             integer NOT NULL,
    red                integer NOT NULL,
    seriously_overdue  integer NOT NULL,
    paused             integer NOT NULL,
    done_on_time       integer NOT NULL,
    done_late          integer NOT NULL
);

CREATE FUNCTION board_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    o integer[] := ARRAY[0, 0, 0, 0, 0, 0, 0];
    n integer[] := ARRAY[0, 0, 0, 0, 0, 0, 0];
BEGIN
    IF TG_OP <> 'INSERT' THEN
        o := ARRAY[
            (OLD.light = 'green')::integer, (OLD.light = 'yellow')::integer, (OLD.light = 'red')::integer,
            (OLD.light = 'red' AND OLD.seriously_overdue)::integer,
            (OLD.paused AND OLD.light IN ('green', 'yellow', 'red'))::integer,
            (OLD.light = 'done-on-time')::integer, (OLD.light = 'done-late')::integer];
    END IF;
    IF TG_OP <> 'DELETE' THEN
        n := ARRAY[
            (NEW.light = 'green')::integer, (NEW.light = 'yellow')::integer, (NEW.light = 'red')::integer,
            (NEW.light = 'red' AND NEW.seriously_overdue)::integer,
            (NEW.paused AND NEW.light IN ('green', 'yellow', 'red'))::integer,
            (NEW.light = 'done-on-time')::integer, (NEW.light = 'done-late')::integer];
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.department_id = NEW.department_id AND OLD.kind = NEW.kind THEN
        IF o <> n THEN
            INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
            VALUES (NEW.department_id, NEW.kind, n[1] - o[1], n[2] - o[2], n[3] - o[3], n[4] - o[4], n[5] - o[5], n[6] - o[6], n[7] - o[7]);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
        VALUES (OLD.department_id, OLD.kind, -o[1], -o[2], -o[3], -o[4], -o[5], -o[6], -o[7]);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
        VALUES (NEW.department_id, NEW.kind, n[1], n[2], n[3], n[4], n[5], n[6], n[7]);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER assignments_board_counts
AFTER INSERT OR DELETE OR UPDATE OF department_id, kind, light, seriously_overdue, paused ON assignments
FOR EACH ROW EXECUTE FUNCTION board_count_change();

INSERT INTO board_counts (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
SELECT department_id, kind,
       count(*) FILTER (WHERE light = 'green'), count(*) FILTER (WHERE light = 'yellow'), count(*) FILTER (WHERE light = 'red'),
       count(*) FILTER (WHERE light = 'red' AND seriously_overdue), count(*) FILTER (WHERE paused AND light IN ('green', 'yellow', 'red')),
       count(*) FILTER (WHERE light = 'done-on-time'), count(*) FILTER (WHERE light = 'done-late')
FROM assignments
GROUP BY department_id, kind;

-- The forecast (what turns red or yellow within days) and the kind filter of lists, without a scan.
CREATE INDEX assignments_forecast_red_idx ON assignments (due_on, department_id, kind)
    WHERE closed_at IS NULL AND NOT paused AND light IN ('green', 'yellow');
CREATE INDEX assignments_forecast_yellow_idx ON assignments (next_change_at, department_id, kind, due_on)
    WHERE closed_at IS NULL AND light = 'green';
