-- Labs: one row per lab ever started. A learner has at most one live lab
-- (starting or running) per module. Containers carry the row's id as a
-- label, so the server can match the engine's view against this table
-- after any crash.
CREATE TABLE labs (
    id          TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('starting', 'running', 'ended')),
    container   TEXT,
    started_at  BIGINT NOT NULL, -- milliseconds since the Unix epoch
    expires_at  BIGINT NOT NULL,
    last_active BIGINT NOT NULL,
    extended    BIGINT NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    ended_at    BIGINT,
    end_reason  TEXT
);
CREATE UNIQUE INDEX labs_live_per_module ON labs (user_id, module) WHERE status <> 'ended';
CREATE INDEX labs_live ON labs (status) WHERE status <> 'ended';

-- What learners did with exercises: every check (with its assertions), and
-- every hint or solution they chose to see.
CREATE TABLE exercise_log (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module     TEXT NOT NULL,
    exercise   TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('check', 'live-check', 'hint', 'solution')),
    passed     BIGINT CHECK (passed IN (0, 1)),
    detail     TEXT NOT NULL, -- JSON
    created_at BIGINT NOT NULL
);
CREATE INDEX exercise_log_by_learner ON exercise_log (user_id, exercise, id);
