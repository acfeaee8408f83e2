-- 0015: on PostgreSQL the board's count trigger runs static SQL instead of EXECUTE; SQLite's row triggers are
-- static already. Nothing to change here.
SELECT 1;
