-- A launch now signs the person in where it arrives, in the browser that
-- began its login (a cookie binds the two), so no one-time ticket carries
-- a session from the LMS's frame to another window any more.
DROP TABLE lti_tickets;
