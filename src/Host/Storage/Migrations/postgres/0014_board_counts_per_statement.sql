-- 0014: the board's count changes written once per statement instead of once per row. A light transition batch
-- updates hundreds of assignments in one statement; the row trigger of 0011 ran and inserted a change row for each.
-- Statement triggers with transition tables insert one row per department and kind the statement touched, with the
-- sums of what it did, and nothing when it changed no count (an update of other columns).
DROP TRIGGER assignments_board_counts ON assignments;
DROP FUNCTION board_count_change();

CREATE FUNCTION board_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    -- The rows before (counted negatively) and after (positively) the statement, as its transition tables hold them.
    signed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT n.*, 1 AS s FROM new_rows n'
        WHEN 'DELETE' THEN 'SELECT o.*, -1 AS s FROM old_rows o'
        ELSE 'SELECT o.*, -1 AS s FROM old_rows o UNION ALL SELECT n.*, 1 AS s FROM new_rows n' END;
BEGIN
    EXECUTE
        'INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
         SELECT department_id, kind, SUM(green), SUM(yellow), SUM(red), SUM(seriously_overdue), SUM(paused), SUM(done_on_time), SUM(done_late)
         FROM (SELECT r.department_id, r.kind,
                      r.s * (r.light = ''green'')::integer AS green, r.s * (r.light = ''yellow'')::integer AS yellow,
                      r.s * (r.light = ''red'')::integer AS red, r.s * (r.light = ''red'' AND r.seriously_overdue)::integer AS seriously_overdue,
                      r.s * (r.paused AND r.light IN (''green'', ''yellow'', ''red''))::integer AS paused,
                      r.s * (r.light = ''done-on-time'')::integer AS done_on_time, r.s * (r.light = ''done-late'')::integer AS done_late
               FROM (' || signed || ') r) d
         GROUP BY department_id, kind
         HAVING SUM(green) <> 0 OR SUM(yellow) <> 0 OR SUM(red) <> 0 OR SUM(seriously_overdue) <> 0 OR SUM(paused) <> 0
             OR SUM(done_on_time) <> 0 OR SUM(done_late) <> 0';
    RETURN NULL;
END;
$$;

CREATE TRIGGER assignments_board_counts_inserted AFTER INSERT ON assignments
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION board_count_changed();
CREATE TRIGGER assignments_board_counts_updated AFTER UPDATE ON assignments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION board_count_changed();
CREATE TRIGGER assignments_board_counts_deleted AFTER DELETE ON assignments
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION board_count_changed();
