-- Docker engines labs are placed on (`berth hosts add`). With none listed,
-- every lab runs on the engine DOCKER_HOST names, as before. A lab and all
-- its nodes live on one host (`labs.host`, NULL for that default engine);
-- `labs.memory_mb` is what the lab counts against its host's memory.
-- `state`: active (takes new labs), draining (its labs run on, no new
-- ones), lost (stopped answering; its labs were ended). `unanswered_since`:
-- when a sweep first found it silent; it is lost once silent for
-- `--host-lost-after`, so one missed answer ends nobody's lab.
CREATE TABLE lab_hosts (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    tls_dir TEXT,
    max_labs BIGINT NOT NULL,
    memory_mb BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'draining', 'lost')),
    added_at BIGINT NOT NULL,
    unanswered_since BIGINT
);
ALTER TABLE labs ADD COLUMN host TEXT;
ALTER TABLE labs ADD COLUMN memory_mb BIGINT NOT NULL DEFAULT 0;
