-- Accounts. Emails are stored trimmed and lowercased, so UNIQUE means one
-- account per address whatever its spelling.
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('learner', 'instructor', 'admin')),
    created_at    BIGINT NOT NULL
);
