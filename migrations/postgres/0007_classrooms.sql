-- Classrooms: an instructor's group of learners, joined with a code. The
-- code stops working after its expiry or once `join_limit` learners have
-- used it.
CREATE TABLE classrooms (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT NOT NULL,
    owner_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    join_code       TEXT NOT NULL UNIQUE,
    join_limit      BIGINT NOT NULL CHECK (join_limit > 0),
    joins           BIGINT NOT NULL DEFAULT 0,
    code_expires_at BIGINT NOT NULL, -- milliseconds since the Unix epoch
    starts_on       TEXT,            -- YYYY-MM-DD, shown to learners
    ends_on         TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX classrooms_by_owner ON classrooms (owner_id);

CREATE TABLE classroom_members (
    classroom_id BIGINT NOT NULL REFERENCES classrooms (id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at    BIGINT NOT NULL,
    PRIMARY KEY (classroom_id, user_id)
);
CREATE INDEX classroom_members_by_user ON classroom_members (user_id);

-- What staff did to or with learners: watching a terminal, roster changes,
-- lab actions. Kept when the classroom or the accounts go.
CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    actor_id     BIGINT,
    actor_email  TEXT NOT NULL,
    action       TEXT NOT NULL,
    classroom_id BIGINT,
    subject_id   BIGINT,
    detail       TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX audit_log_by_classroom ON audit_log (classroom_id, id);
