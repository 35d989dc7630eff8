-- Facts about this installation. Later migrations add users, progress,
-- quizzes and labs, each in its own numbered file (same number in
-- migrations/sqlite/).
CREATE TABLE instance (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
