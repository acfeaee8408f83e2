-- 0002: clock event logs, the clock policy fixed at registration, and calendar years entered at run time.

-- The rules an item's clock runs under (light policy, extension cap), copied from its definition at registration.
ALTER TABLE items ADD COLUMN clock_policy TEXT CHECK (clock_policy IS NULL OR json_valid(clock_policy));
-- The calendar version the stored due day, light and next change were computed with.
ALTER TABLE items ADD COLUMN calendar_version INTEGER;
ALTER TABLE items ADD COLUMN seriously_overdue INTEGER NOT NULL DEFAULT 0;

-- An item's clock as its event log; the due day and light are a fold over it and the calendar.
CREATE TABLE clock_events (
    item_id  INTEGER NOT NULL REFERENCES items (id),
    seq      INTEGER NOT NULL,
    at       TEXT NOT NULL,
    kind     TEXT NOT NULL,
    data     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (item_id, seq),
    CONSTRAINT clock_events_kind_known CHECK (kind IN ('started', 'paused', 'resumed', 'restarted', 'extended', 'overridden', 'stopped')),
    CONSTRAINT clock_events_data_json CHECK (json_valid(data))
) WITHOUT ROWID;

CREATE TRIGGER clock_events_no_update BEFORE UPDATE ON clock_events
BEGIN
    SELECT RAISE(ABORT, 'clock_events is append-only: UPDATE is not allowed');
END;
CREATE TRIGGER clock_events_no_delete BEFORE DELETE ON clock_events
BEGIN
    SELECT RAISE(ABORT, 'clock_events is append-only: DELETE is not allowed');
END;

-- Years of a calendar entered or corrected at run time; they replace the same year of seeds/calendar/.
CREATE TABLE calendar_years (
    calendar    TEXT NOT NULL,
    year        INTEGER NOT NULL,
    definition  TEXT NOT NULL CHECK (json_valid(definition)),
    version     INTEGER NOT NULL,
    changed_at  TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    PRIMARY KEY (calendar, year)
);

-- Every change of a calendar, numbered; recomputed_at stays null until every open item follows the change, so a
-- crash in between is finished at the next start.
CREATE TABLE calendar_changes (
    calendar          TEXT NOT NULL,
    version           INTEGER NOT NULL,
    year              INTEGER NOT NULL,
    changed_at        TEXT NOT NULL,
    changed_by        TEXT NOT NULL,
    changed_dates     INTEGER NOT NULL,
    recomputed_at     TEXT,
    items_recomputed  INTEGER,
    PRIMARY KEY (calendar, version)
);
