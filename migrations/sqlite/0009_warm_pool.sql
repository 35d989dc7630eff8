-- The warm pool: labs made ahead of any click, waiting for a learner. A
-- pooled lab has no owner until it is claimed, so `user_id` may be empty
-- while the lab is being made (`starting`), while it waits (`pooled`) and
-- after it ended unclaimed. SQLite cannot loosen a column or a CHECK in
-- place: the table is rebuilt with its rows.
CREATE TABLE labs_next (
    id          TEXT PRIMARY KEY,
    user_id     BIGINT REFERENCES users (id) ON DELETE CASCADE,
    module      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('starting', 'pooled', 'running', 'ended')),
    container   TEXT,
    started_at  BIGINT NOT NULL, -- milliseconds since the Unix epoch
    expires_at  BIGINT NOT NULL,
    last_active BIGINT NOT NULL,
    extended    BIGINT NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    ended_at    BIGINT,
    end_reason  TEXT,
    CHECK (user_id IS NOT NULL OR status <> 'running')
);
INSERT INTO labs_next (id, user_id, module, status, container, started_at, expires_at, last_active, extended, ended_at, end_reason)
    SELECT id, user_id, module, status, container, started_at, expires_at, last_active, extended, ended_at, end_reason FROM labs;
DROP TABLE labs;
ALTER TABLE labs_next RENAME TO labs;
CREATE UNIQUE INDEX labs_live_per_module ON labs (user_id, module) WHERE status <> 'ended';
CREATE INDEX labs_live ON labs (status) WHERE status <> 'ended';
-- Claims take the oldest waiting lab of a module.
CREATE INDEX labs_pooled ON labs (module, started_at) WHERE status = 'pooled';

-- An instructor's request to keep more labs of a module warm until a
-- time, for a class about to start. While it lasts, the module's pool
-- target is `--warm` plus the labs of every such request.
CREATE TABLE lab_warmups (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    classroom_id BIGINT NOT NULL REFERENCES classrooms (id) ON DELETE CASCADE,
    module       TEXT NOT NULL,
    labs         BIGINT NOT NULL CHECK (labs > 0),
    until_at     BIGINT NOT NULL, -- milliseconds since the Unix epoch
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX lab_warmups_by_end ON lab_warmups (until_at);
