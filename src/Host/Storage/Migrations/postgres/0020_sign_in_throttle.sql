-- 0020: failed sign-ins counted per login and per client address, shared by every server on the database: after a
-- few failures each further attempt must wait longer, then the key is locked for a while (an administrator can lift
-- it). A key's failures count from its first failure in the window; a successful sign-in clears the login's.
CREATE TABLE sign_in_throttle (
    key              text PRIMARY KEY,
    failures         integer NOT NULL,
    first_failure_at timestamptz NOT NULL,
    last_failure_at  timestamptz NOT NULL,
    locked_until     timestamptz
);
