-- A lab made on a click gives its prompt before its exercises' setups have
-- run, so the setups' state is kept with the lab: every replica must know
-- that its checks wait, and a restart must know which labs were cut off
-- while setting up. `preparing` is 1 from the prompt until the setups end;
-- `setup_failure` is what the learner reads when one failed.
ALTER TABLE labs ADD COLUMN preparing BIGINT NOT NULL DEFAULT 0;
ALTER TABLE labs ADD COLUMN setup_failure TEXT;
