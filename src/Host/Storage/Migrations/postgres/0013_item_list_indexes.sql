-- 0013: indexes for item lists at a province (a million open items).
-- A list filtered to a few departments is answered from their open assignments (ItemSearch): their item ids and
-- the conditions lists filter on, without visiting the table (an index-only scan per department).
CREATE INDEX assignments_open_department_item_idx ON assignments (department_id, item_id)
    INCLUDE (kind, light, paused, seriously_overdue, due_on, step) WHERE closed_at IS NULL;
-- Open items by light, newest first: the board's "show me the red ones" and its count.
CREATE INDEX items_open_light_idx ON items (light, id) WHERE closed_at IS NULL;
