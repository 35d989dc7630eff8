-- One time unit everywhere: milliseconds since the Unix epoch. The first
-- tables stored seconds; later ones (progress, quizzes, labs, classrooms)
-- stored milliseconds from the start.
UPDATE instance SET updated_at = updated_at * 1000;
UPDATE users SET created_at = created_at * 1000;
UPDATE invites SET expires_at = expires_at * 1000, created_at = created_at * 1000;
