-- Grades back to learning platforms (LTI AGS). A learner's launch into a
-- module from a graded link records where that module's score goes: the
-- line item of the link, for the platform's subject.
CREATE TABLE lti_grade_links (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module      TEXT NOT NULL,
    platform_id BIGINT NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
    subject     TEXT NOT NULL,
    lineitem    TEXT NOT NULL,
    -- The rest of the launch's AGS claim: the context's line items
    -- container (if given) and the scopes granted, space-separated.
    lineitems   TEXT,
    scope       TEXT NOT NULL,
    -- Set when a launch makes or moves the link: the outbox worker's next
    -- round queues the score so far (work done before the link existed).
    -- Later changes queue their score in their own transaction.
    changed_at  BIGINT,
    -- The score last queued (hundredths of a point and the activity
    -- progress), so an unchanged score is not queued again.
    last_score  TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, module)
);
CREATE INDEX lti_grade_links_changed ON lti_grade_links (changed_at);

-- The outbox: one row per score change to deliver, written in the
-- transaction of the change, sent in id order per learner and line item. Retried with exponential backoff until the
-- platform takes it or refuses it for good (a 4xx other than 401 and 429:
-- `refused_at` set, its answer in `last_error`, and the next row goes);
-- `claimed_until` lets one replica at a time deliver it.
CREATE TABLE lti_scores (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id           BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module            TEXT NOT NULL,
    platform_id       BIGINT NOT NULL REFERENCES lti_platforms (id) ON DELETE CASCADE,
    subject           TEXT NOT NULL,
    lineitem          TEXT NOT NULL,
    given_hundredths  BIGINT NOT NULL,
    maximum           BIGINT NOT NULL,
    activity          TEXT NOT NULL,
    grading           TEXT NOT NULL,
    created_at        BIGINT NOT NULL, -- the score's timestamp
    attempts          BIGINT NOT NULL DEFAULT 0,
    next_try_at       BIGINT NOT NULL,
    claimed_until     BIGINT,
    last_error        TEXT,
    sent_at           BIGINT,
    refused_at        BIGINT
);
CREATE INDEX lti_scores_unsent ON lti_scores (sent_at, next_try_at);
CREATE INDEX lti_scores_by_learner ON lti_scores (user_id, lineitem, id);
