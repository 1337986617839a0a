-- The audit trail's entries wait here until they are chained (tokens: see 0001_initial.sql; the chain: 0008_audit_chain.sql).
-- A transaction that records an event inserts its entry here, in that transaction, and takes no lock shared with other
-- writers; a job (Features/Audit/SealAuditTrail.cs) then moves the waiting entries into audit_chain in the order they were
-- queued, giving each the next seq and hash under the head's row lock. Chaining in the writer's own transaction had every
-- write of the platform queue on that one row until commit: under load, the workflow's p99 was seconds (issue 13).
CREATE TABLE audit_chain_queue (
    id          $identity_key$,
    at          $timestamp$ NOT NULL,
    source      $varchar_20$ NOT NULL,
    subject     $varchar_30$ NOT NULL,
    subject_id  $varchar_200$ NOT NULL,
    action      $varchar_40$ NOT NULL,
    content     $text$ NOT NULL
);
