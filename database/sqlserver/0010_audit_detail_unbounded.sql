-- An audit_log row's detail says what changed, old → new: an institution's regions (up to 50 prefixes) and webhook
-- address, before and after, can run past the 500 characters of 0005. PostgreSQL and SQL Server only: SQLite's
-- columns hold text of any length.
ALTER TABLE audit_log ALTER COLUMN detail NVARCHAR(MAX) NULL;
