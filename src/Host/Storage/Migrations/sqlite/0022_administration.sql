-- 0022: administration in the browser.
-- What an administrative change changed (the access log already says who, which route and when): the fields a
-- person's record was given, a channel's address, a calendar year stored; never a password or a secret.
ALTER TABLE access_log ADD COLUMN detail TEXT;
CREATE INDEX access_log_path_idx ON access_log (path, at);

-- Each channel's last delivery and last failure (real notices and tests alike), for its administration page.
ALTER TABLE notice_channels ADD COLUMN last_delivered_at TEXT;
ALTER TABLE notice_channels ADD COLUMN last_failed_at TEXT;
ALTER TABLE notice_channels ADD COLUMN last_error TEXT;

-- The notices given up on, for the health page (a few among millions delivered).
CREATE INDEX notices_failed_idx ON notices (id) WHERE status = 'failed';

-- Every verification of the history chains: when, by whom, what it found.
CREATE TABLE history_verifications (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    intact        INTEGER NOT NULL,
    items         INTEGER NOT NULL,
    entries       INTEGER NOT NULL,
    problems      TEXT NOT NULL,
    digest_taken_at TEXT
);
