-- 0015: the board's count trigger with static SQL. 0014 built its statement as text and ran it with EXECUTE, which
-- PostgreSQL plans afresh on every call (about a millisecond: more than the update of one assignment it follows);
-- static statements are planned once per session and kept. One branch per kind of statement, as each trigger has
-- only the transition tables of its own kind.
CREATE OR REPLACE FUNCTION board_count_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
        SELECT r.department_id, r.kind, SUM((r.light = 'green')::integer), SUM((r.light = 'yellow')::integer), SUM((r.light = 'red')::integer),
               SUM((r.light = 'red' AND r.seriously_overdue)::integer), SUM((r.paused AND r.light IN ('green', 'yellow', 'red'))::integer),
               SUM((r.light = 'done-on-time')::integer), SUM((r.light = 'done-late')::integer)
        FROM new_rows r
        GROUP BY r.department_id, r.kind;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
        SELECT r.department_id, r.kind, -SUM((r.light = 'green')::integer), -SUM((r.light = 'yellow')::integer), -SUM((r.light = 'red')::integer),
               -SUM((r.light = 'red' AND r.seriously_overdue)::integer), -SUM((r.paused AND r.light IN ('green', 'yellow', 'red'))::integer),
               -SUM((r.light = 'done-on-time')::integer), -SUM((r.light = 'done-late')::integer)
        FROM old_rows r
        GROUP BY r.department_id, r.kind;
    ELSE
        -- Only rows whose counted columns changed; an update of anything else (a step, a due day) writes nothing.
        INSERT INTO board_count_changes (department_id, kind, green, yellow, red, seriously_overdue, paused, done_on_time, done_late)
        SELECT department_id, kind, SUM(green), SUM(yellow), SUM(red), SUM(seriously_overdue), SUM(paused), SUM(done_on_time), SUM(done_late)
        FROM (SELECT r.department_id, r.kind,
                     r.s * (r.light = 'green')::integer AS green, r.s * (r.light = 'yellow')::integer AS yellow,
                     r.s * (r.light = 'red')::integer AS red, r.s * (r.light = 'red' AND r.seriously_overdue)::integer AS seriously_overdue,
                     r.s * (r.paused AND r.light IN ('green', 'yellow', 'red'))::integer AS paused,
                     r.s * (r.light = 'done-on-time')::integer AS done_on_time, r.s * (r.light = 'done-late')::integer AS done_late
              FROM (SELECT o.department_id, o.kind, o.light, o.seriously_overdue, o.paused, -1 AS s FROM old_rows o
                    UNION ALL
                    SELECT n.department_id, n.kind, n.light, n.seriously_overdue, n.paused, 1 AS s FROM new_rows n) r) d
        GROUP BY department_id, kind
        HAVING SUM(green) <> 0 OR SUM(yellow) <> 0 OR SUM(red) <> 0 OR SUM(seriously_overdue) <> 0 OR SUM(paused) <> 0
            OR SUM(done_on_time) <> 0 OR SUM(done_late) <> 0;
    END IF;
    RETURN NULL;
END;
$$;
