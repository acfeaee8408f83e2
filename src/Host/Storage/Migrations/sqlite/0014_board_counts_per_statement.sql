-- 0014: on PostgreSQL the board's count changes move to statement triggers; SQLite has only row triggers, which
-- cost little in-process, and keeps those of 0011. Nothing to change here.
SELECT 1;
