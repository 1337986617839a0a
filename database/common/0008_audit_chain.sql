-- The tamper-evident audit trail (日志完整性保护, seeds/002 task 7), for every provider (tokens: see 0001_initial.sql).
-- Every recorded event (timeline steps, changes of products, institutions, targets and lists, security events) is also an
-- entry of this chain, written in the same transaction as the event (Infrastructure/UnitOfWork/AuditTrail.cs). Each
-- entry's hash is SHA-256 over its content and the previous entry's hash, so an entry edited, removed or put in afterwards
-- breaks the chain from there on. database/<provider>/0008_audit_chain_append_only.sql makes these tables append-only.

CREATE TABLE audit_chain (
    -- The entry's place in the one total order: 1, 2, 3 … with no gap (handed out by audit_chain_head).
    seq         $bigint$ PRIMARY KEY,
    at          $timestamp$ NOT NULL,
    -- timeline (request_events) | change (audit_log) | security (security_events)
    source      $varchar_20$ NOT NULL,
    subject     $varchar_30$ NOT NULL,
    subject_id  $varchar_200$ NOT NULL,
    action      $varchar_40$ NOT NULL,
    -- The event's other facts (detail, actor, institution, login …) as canonical JSON: hashed exactly as stored.
    content     $text$ NOT NULL,
    prev_hash   $varchar_64$ NOT NULL,
    hash        $varchar_64$ NOT NULL
);

-- The chain's last entry. Appending updates this one row first, in the appending transaction: its row lock puts the
-- appends of concurrent transactions one after the other, so that each takes the next seq and the previous hash.
CREATE TABLE audit_chain_head (
    id    $int$ PRIMARY KEY,
    seq   $bigint$ NOT NULL,
    hash  $varchar_64$ NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- The chain head once a day, signed (HMAC-SHA256) with a key the platform holds outside the database: exported by an
-- admin and kept elsewhere, it shows that the chain up to that entry has not been rewritten since.
CREATE TABLE audit_checkpoints (
    id         $identity_key$,
    at         $timestamp$ NOT NULL,
    seq        $bigint$ NOT NULL,
    hash       $varchar_64$ NOT NULL,
    key_id     $varchar_20$ NOT NULL,
    signature  $varchar_64$ NOT NULL
);
