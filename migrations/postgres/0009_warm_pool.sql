-- The warm pool: labs made ahead of any click, waiting for a learner. A
-- pooled lab has no owner until it is claimed, so `user_id` may be empty
-- while the lab is being made (`starting`), while it waits (`pooled`) and
-- after it ended unclaimed.
ALTER TABLE labs ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE labs DROP CONSTRAINT labs_status_check;
ALTER TABLE labs ADD CONSTRAINT labs_status_check CHECK (status IN ('starting', 'pooled', 'running', 'ended'));
ALTER TABLE labs ADD CONSTRAINT labs_running_has_owner CHECK (user_id IS NOT NULL OR status <> 'running');
-- Claims take the oldest waiting lab of a module.
CREATE INDEX labs_pooled ON labs (module, started_at) WHERE status = 'pooled';

-- An instructor's request to keep more labs of a module warm until a
-- time, for a class about to start. While it lasts, the module's pool
-- target is `--warm` plus the labs of every such request.
CREATE TABLE lab_warmups (
    id           BIGSERIAL PRIMARY KEY,
    classroom_id BIGINT NOT NULL REFERENCES classrooms (id) ON DELETE CASCADE,
    module       TEXT NOT NULL,
    labs         BIGINT NOT NULL CHECK (labs > 0),
    until_at     BIGINT NOT NULL, -- milliseconds since the Unix epoch
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX lab_warmups_by_end ON lab_warmups (until_at);
