-- 0002: clock event logs, the clock policy fixed at registration, and calendar years entered at run time.

-- The rules an item's clock runs under (light policy, extension cap), copied from its definition at registration.
ALTER TABLE items ADD COLUMN clock_policy jsonb;
-- The calendar version the stored due day, light and next change were computed with.
ALTER TABLE items ADD COLUMN calendar_version integer;
ALTER TABLE items ADD COLUMN seriously_overdue boolean NOT NULL DEFAULT false;

-- An item's clock as its event log; the due day and light are a fold over it and the calendar.
CREATE TABLE clock_events (
    item_id  bigint NOT NULL REFERENCES items (id),
    seq      integer NOT NULL,
    at       timestamptz NOT NULL,
    kind     text NOT NULL,
    data     jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (item_id, seq),
    CONSTRAINT clock_events_kind_known CHECK (kind IN ('started', 'paused', 'resumed', 'restarted', 'extended', 'overridden', 'stopped'))
);

CREATE FUNCTION clock_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'clock_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER clock_events_no_update BEFORE UPDATE OR DELETE ON clock_events
    FOR EACH ROW EXECUTE FUNCTION clock_events_are_append_only();

-- Years of a calendar entered or corrected at run time; they replace the same year of seeds/calendar/.
CREATE TABLE calendar_years (
    calendar    text NOT NULL,
    year        integer NOT NULL,
    definition  jsonb NOT NULL,
    version     integer NOT NULL,
    changed_at  timestamptz NOT NULL,
    changed_by  text NOT NULL,
    PRIMARY KEY (calendar, year)
);

-- Every change of a calendar, numbered; recomputed_at stays null until every open item follows the change, so a
-- crash in between is finished at the next start.
CREATE TABLE calendar_changes (
    calendar          text NOT NULL,
    version           integer NOT NULL,
    year              integer NOT NULL,
    changed_at        timestamptz NOT NULL,
    changed_by        text NOT NULL,
    changed_dates     integer NOT NULL,
    recomputed_at     timestamptz,
    items_recomputed  integer,
    PRIMARY KEY (calendar, version)
);
