-- Facts about this installation. Later migrations add users, progress,
-- quizzes and labs, each in its own numbered file (same number in
-- migrations/postgres/).
CREATE TABLE instance (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
