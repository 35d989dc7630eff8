-- Deep linking: an instructor's verified LtiDeepLinkingRequest waits here
-- while they pick a module, lesson, exercise or quiz. The picker form
-- carries only an unguessable token (stored hashed); the row holds what
-- the signed answer needs and whom it is for, so the choice needs no
-- cookie (LMSs frame tools) and cannot be forged. Used once; short-lived.
CREATE TABLE lti_deep_links (
    token_hash    TEXT PRIMARY KEY,
    platform_id   BIGINT NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
    deployment_id TEXT NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    return_url    TEXT NOT NULL,
    data          TEXT, -- the platform's opaque `data`, as JSON, echoed back
    expires_at    BIGINT NOT NULL
);
CREATE INDEX lti_deep_links_by_expiry ON lti_deep_links (expires_at);
