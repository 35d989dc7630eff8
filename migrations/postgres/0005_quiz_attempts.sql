-- Every quiz submission, kept whole: the answers as given and the feedback as
-- shown, so later edits to a quiz never rewrite a learner's history. The
-- best score and pass per quiz are computed from these rows; `progress`
-- carries the quiz's status alongside lessons.
CREATE TABLE quiz_attempts (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module     TEXT NOT NULL,
    quiz       TEXT NOT NULL,
    answers    TEXT NOT NULL, -- JSON: question id -> values as submitted
    report     TEXT NOT NULL, -- JSON: per-question feedback as shown
    score      BIGINT NOT NULL,
    total      BIGINT NOT NULL,
    percent    BIGINT NOT NULL,
    passed     BIGINT NOT NULL CHECK (passed IN (0, 1)),
    created_at BIGINT NOT NULL -- milliseconds since the Unix epoch
);
CREATE INDEX quiz_attempts_by_learner ON quiz_attempts (user_id, quiz, id);
