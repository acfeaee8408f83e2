-- 0021: a person whose password an administrator set chooses their own at the first sign-in: until then a session
-- of theirs may only read who it is, sign out, and change the password.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
