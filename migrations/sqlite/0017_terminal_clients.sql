-- The `berth serve` processes at work, each saying so every sweep
-- interval, so the sweep can tell one that died without a word.
CREATE TABLE replicas (
    id      TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL -- milliseconds since the Unix epoch
);

-- Terminals joined to a lab's kept shell, by the replica that holds their
-- connection. A replica that dies leaves its tmux clients attached in the
-- lab (the engine keeps an exec whose connection is gone); the sweep
-- detaches them.
CREATE TABLE terminal_clients (
    client  TEXT PRIMARY KEY,
    lab_id  TEXT NOT NULL,
    node    BIGINT NOT NULL,
    replica TEXT NOT NULL
);
CREATE INDEX terminal_clients_by_replica ON terminal_clients (replica);

-- Watchers, too, belong to the replica that serves them: a dead one's are
-- no longer watching.
ALTER TABLE lab_watchers ADD COLUMN replica TEXT NOT NULL DEFAULT '';
