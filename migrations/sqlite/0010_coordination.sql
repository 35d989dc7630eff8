-- What several `berth serve` replicas must agree on lives here rather than
-- in one process's memory (SQLite installs run one process, but keep the
-- same tables so both databases behave alike).

-- Failed logins per account or client address, so a guess counts whichever
-- replica it reaches.
CREATE TABLE login_failures (
    key      TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at  BIGINT NOT NULL -- milliseconds since the Unix epoch
);
CREATE INDEX login_failures_by_age ON login_failures (last_at);

-- Lab starts of the last minute, per learner and per client address (the
-- start limits).
CREATE TABLE lab_starts (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX lab_starts_by_key ON lab_starts (key, at);

-- Periodic work (the lab sweep): when the next round is due and how many
-- were done. The replica that moves `due_at` forward does the round.
CREATE TABLE rounds (
    name   TEXT PRIMARY KEY,
    due_at BIGINT NOT NULL,
    done   BIGINT NOT NULL
);

-- Staff watching a learner's terminal, whichever replica serves them, so
-- the learner's page names every one. A row goes when its watch ends or
-- its lab does.
CREATE TABLE lab_watchers (
    id     INTEGER PRIMARY KEY,
    lab_id TEXT NOT NULL,
    node   BIGINT NOT NULL,
    name   TEXT NOT NULL,
    since  BIGINT NOT NULL
);
CREATE INDEX lab_watchers_by_lab ON lab_watchers (lab_id, node);
