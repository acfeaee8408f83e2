-- 0017: years without a holiday notice are reckoned from the law (全国年节及纪念日放假办法) instead of as weekends
-- only. Stored due days into such a year (2027 and later) were computed the old way: record an unfinished calendar
-- change, so that the next start recomputes every open item with the new rule (CalendarService.LoadAsync); a
-- database without open items has nothing to recompute.
INSERT INTO calendar_changes (calendar, version, year, changed_at, changed_by, changed_dates)
SELECT 'cn-statutory', COALESCE(MAX(version), 1) + 1, 0, strftime('%Y-%m-%d %H:%M:%S+00:00', 'now'),
       'migration 0017: years without a notice reckoned from the law', 0
FROM calendar_changes WHERE calendar = 'cn-statutory'
HAVING EXISTS (SELECT 1 FROM items WHERE closed_at IS NULL);
