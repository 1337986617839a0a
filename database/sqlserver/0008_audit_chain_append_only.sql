-- The audit trail is append-only (日志完整性保护, seeds/002 task 7; SQL Server only: each provider has its own 0008).
-- INSTEAD OF triggers refuse UPDATE and DELETE of the chain, its checkpoints and the logs it covers, whoever runs them.
-- TRUNCATE TABLE fires no trigger but needs ALTER on the table, which the application's database user should not hold:
-- it should hold only SELECT and INSERT on these tables (README, "Audit trail"). A change made with the triggers
-- disabled is found by verifying the chain.

CREATE TRIGGER audit_chain_append_only ON audit_chain INSTEAD OF UPDATE, DELETE AS THROW 51000, 'audit_chain is append-only', 1;
GO
CREATE TRIGGER audit_checkpoints_append_only ON audit_checkpoints INSTEAD OF UPDATE, DELETE AS THROW 51000, 'audit_checkpoints is append-only', 1;
GO
CREATE TRIGGER audit_log_append_only ON audit_log INSTEAD OF UPDATE, DELETE AS THROW 51000, 'audit_log is append-only', 1;
GO
CREATE TRIGGER security_events_append_only ON security_events INSTEAD OF UPDATE, DELETE AS THROW 51000, 'security_events is append-only', 1;
GO
