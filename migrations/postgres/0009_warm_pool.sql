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
