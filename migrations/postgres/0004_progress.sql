-- What each learner has done, keyed on content ids (never file names or
-- positions), so edits and reordering keep everyone's progress. One row per
-- learner and item; lessons, quizzes and exercises share the table.
CREATE TABLE progress (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('lesson', 'quiz', 'exercise')),
    item       TEXT NOT NULL,
    module     TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('started', 'completed', 'passed', 'failed')),
    updated_at BIGINT NOT NULL, -- milliseconds since the Unix epoch
    PRIMARY KEY (user_id, kind, item)
);
CREATE INDEX progress_recent ON progress (user_id, updated_at);
