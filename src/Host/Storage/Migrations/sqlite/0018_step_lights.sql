-- 0018: step and pause limits light of their own (review 7 working days from receipt, art. 30; a consultation 15
-- working days from the pause, arts. 32 and 34), beside the statutory reply light: the light, its due day, what it
-- measures (step:review, pause:third-party-consultation) and the next instant it changes, on items and on
-- assignments. The next change instant is a due index of its own, read by the same transition batches as the main
-- light's, so the board's forecast (which reads next_change_at) keeps meaning the statutory light.
ALTER TABLE items ADD COLUMN step_light TEXT CHECK (step_light IN ('green', 'yellow', 'red'));
ALTER TABLE items ADD COLUMN step_next_change_at TEXT;
ALTER TABLE items ADD COLUMN step_basis TEXT;
CREATE INDEX items_step_next_change_idx ON items (step_next_change_at) WHERE step_next_change_at IS NOT NULL;
CREATE INDEX items_step_light_idx ON items (step_light) WHERE step_light IS NOT NULL;

ALTER TABLE assignments ADD COLUMN step_entered_at TEXT;
ALTER TABLE assignments ADD COLUMN step_light TEXT CHECK (step_light IN ('green', 'yellow', 'red'));
ALTER TABLE assignments ADD COLUMN step_due_on TEXT;
ALTER TABLE assignments ADD COLUMN step_next_change_at TEXT;
ALTER TABLE assignments ADD COLUMN step_basis TEXT;
UPDATE assignments SET step_entered_at = updated_at;
-- The nightly run walks the open assignments past a step limit along their id.
CREATE INDEX assignments_step_red_idx ON assignments (id) WHERE step_light = 'red' AND closed_at IS NULL;
-- Open items get their step lights at the transition loop's next batch.
UPDATE items SET step_next_change_at = strftime('%Y-%m-%d %H:%M:%S+00:00', 'now') WHERE closed_at IS NULL;
