-- 0019: a calendar change's recomputation runs as a background job that may be delivered twice (a server killed
-- mid-way): it keeps its place and its counts in the change's row, each batch's advance committed with the batch, so
-- a second delivery goes on from where the first stopped and the counts stay exact. The changed dates' window is kept
-- so a resumed run reads the same items; job_id names the Hangfire job that owns it (null: none queued yet).
ALTER TABLE calendar_changes ADD COLUMN changed_from date;
ALTER TABLE calendar_changes ADD COLUMN changed_to date;
ALTER TABLE calendar_changes ADD COLUMN resume_after bigint NOT NULL DEFAULT 0;
ALTER TABLE calendar_changes ADD COLUMN due_days_moved integer NOT NULL DEFAULT 0;
ALTER TABLE calendar_changes ADD COLUMN lights_changed integer NOT NULL DEFAULT 0;
ALTER TABLE calendar_changes ADD COLUMN job_id text;
