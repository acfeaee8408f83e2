-- 0006: where a department's notices also go besides the people's inboxes: a webhook, a WeCom or DingTalk robot.
CREATE TABLE notice_channels (
    id             INTEGER PRIMARY KEY,
    department_id  INTEGER NOT NULL REFERENCES departments (id),
    channel        TEXT NOT NULL,
    address        TEXT NOT NULL,
    secret         TEXT,
    created_at     TEXT NOT NULL,
    CONSTRAINT notice_channels_channel_known CHECK (channel IN ('webhook', 'wecom', 'dingtalk'))
);
CREATE UNIQUE INDEX notice_channels_key ON notice_channels (department_id, channel, address);
