-- 0013: indexes for item lists. A list filtered to a few departments is answered from their open assignments
-- (ItemSearch) without visiting the table; open items by light, newest first.
CREATE INDEX assignments_open_department_item_idx ON assignments (department_id, item_id, kind, light, paused, seriously_overdue, due_on, step)
    WHERE closed_at IS NULL;
CREATE INDEX items_open_light_idx ON items (light, id) WHERE closed_at IS NULL;
