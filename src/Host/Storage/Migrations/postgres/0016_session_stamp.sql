-- 0016: sign-in sessions the server can end. Each cookie carries the stamp its user had when signing in; signing out
-- everywhere, a new password or a disabled account moves the stamp on, and a cookie with an older stamp is refused.
ALTER TABLE users ADD COLUMN session_stamp INTEGER NOT NULL DEFAULT 0;
