-- 0005: notices: the durable outbox of everything that tells people something, and the in-app inbox channel.

-- One row per notice and channel and recipient. notice_key is unique: the same cause (event) can never produce the
-- same notice twice, whatever crashes, restarts or second instances do. In-app (inbox) notices are delivered when
-- written; the other channels are delivered by dispatchers that record each attempt.
CREATE TABLE notices (
    id                 INTEGER PRIMARY KEY,
    notice_key         TEXT NOT NULL,
    channel            TEXT NOT NULL,
    kind               TEXT NOT NULL,
    recipient_user_id  INTEGER REFERENCES users (id),
    recipient_address  TEXT,
    subject            TEXT NOT NULL,
    body               TEXT NOT NULL,
    item_id            INTEGER REFERENCES items (id),
    event              TEXT,
    created_at         TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending',
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT,
    delivered_at       TEXT,
    read_at            TEXT,
    CONSTRAINT notices_channel_known CHECK (channel IN ('inbox', 'email', 'webhook', 'wecom', 'dingtalk')),
    CONSTRAINT notices_status_known CHECK (status IN ('pending', 'delivered', 'failed')),
    CONSTRAINT notices_has_recipient CHECK (recipient_user_id IS NOT NULL OR recipient_address IS NOT NULL)
);
CREATE UNIQUE INDEX notices_key ON notices (notice_key);
CREATE INDEX notices_inbox_idx ON notices (recipient_user_id, created_at) WHERE channel = 'inbox';
CREATE INDEX notices_pending_idx ON notices (next_attempt_at) WHERE status = 'pending';

-- Every delivery attempt of a notice over an external channel.
CREATE TABLE notice_attempts (
    notice_id  INTEGER NOT NULL REFERENCES notices (id),
    attempt    INTEGER NOT NULL,
    at         TEXT NOT NULL,
    ok         INTEGER NOT NULL,
    error      TEXT,
    PRIMARY KEY (notice_id, attempt)
);
