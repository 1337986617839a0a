-- A decline gives a reason from a list (DeclineReason) besides its optional words, as a rejection does (0006; tokens: see
-- 0001_initial.sql).
ALTER TABLE dispatches $add_column$ decline_reason_code $varchar_30$ NULL;
