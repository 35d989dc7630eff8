-- Rosters: where the LMS lists a course's members (the NRPS claim's
-- context_memberships_url), from the latest launch that carried it, so an
-- instructor can pull the whole course into its classroom.
ALTER TABLE lti_contexts ADD COLUMN memberships_url TEXT;
