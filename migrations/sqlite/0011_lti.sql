-- LTI 1.3: the learning platforms (Moodle, Canvas, ...) registered with
-- `berth lti add-platform`, keyed by issuer and client id (one issuer can
-- serve many schools). Deployment ids are a JSON array of strings.
CREATE TABLE lti_platforms (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer         TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    deployment_ids TEXT NOT NULL,
    auth_url       TEXT NOT NULL,
    token_url      TEXT NOT NULL,
    jwks_url       TEXT NOT NULL,
    created_at     BIGINT NOT NULL, -- milliseconds since the Unix epoch
    UNIQUE (issuer, client_id)
);

-- Berth's own signing keys (RSA, PKCS#1 DER in base64), served at
-- /.well-known/jwks.json. The newest unretired one signs; a retired key is
-- still served until `expires_at`, so platforms that cached it keep working.
CREATE TABLE lti_keys (
    kid         TEXT PRIMARY KEY,
    private_der TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT,
    expires_at  BIGINT
);

-- Login initiations waiting for their launch: the state sent to the
-- platform and the nonce its id_token must carry. A launch deletes its row,
-- so each state and nonce is used once.
CREATE TABLE lti_logins (
    state       TEXT PRIMARY KEY,
    nonce       TEXT NOT NULL,
    platform_id BIGINT NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX lti_logins_by_expiry ON lti_logins (expires_at);

-- Accounts made by launches: one per platform and subject, so the same
-- `sub` from two platforms is two people.
CREATE TABLE lti_accounts (
    platform_id BIGINT NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
    subject     TEXT NOT NULL,
    user_id     BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (platform_id, subject)
);

-- An LMS course (the launch's context) and the classroom it became on its
-- first instructor launch; learners who launched before that are kept in
-- lti_context_learners and join the classroom when it is made.
CREATE TABLE lti_contexts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id  BIGINT NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
    context_id   TEXT NOT NULL,
    title        TEXT NOT NULL,
    classroom_id BIGINT REFERENCES classrooms (id) ON DELETE SET NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (platform_id, context_id)
);

CREATE TABLE lti_context_learners (
    context_id BIGINT NOT NULL REFERENCES lti_contexts (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (context_id, user_id)
);

-- One-time tickets from a verified launch to a session: the launch may run
-- in the LMS's iframe, where Berth's cookie is not kept, so the session is
-- made when the ticket is opened in a window of Berth's own. Stored hashed;
-- used once; short-lived.
CREATE TABLE lti_tickets (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
