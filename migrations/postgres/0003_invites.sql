-- Codes that let someone create an account when sign-up is invite-only.
CREATE TABLE invites (
    code       TEXT PRIMARY KEY,
    uses_left  BIGINT NOT NULL CHECK (uses_left >= 0),
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
