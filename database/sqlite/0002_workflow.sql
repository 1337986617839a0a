-- The "three firsts" (三个第一) workflow (SQLite). Keep in step with postgresql/ and sqlserver/.
-- The database is the source of truth: each request and dispatch row holds its step and due time; jobs are
-- idempotent transitions of these rows, and the supervisor re-drives whatever is due.

ALTER TABLE financing_requests ADD COLUMN published_at TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN dispatched_at TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN resolved_at TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN rating INTEGER NULL;
ALTER TABLE financing_requests ADD COLUMN rating_comment TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN rated_at TEXT NULL;
CREATE INDEX ix_financing_requests_status ON financing_requests (status, updated_at);

-- Events that concern one institution carry its id: another institution does not see them.
ALTER TABLE request_events ADD COLUMN institution_id TEXT NULL;

-- The ranking published with the request: the snapshot that dispatch and re-dispatch walk down.
CREATE TABLE request_matches (
    request_id      TEXT NOT NULL REFERENCES financing_requests (id),
    rank            INTEGER NOT NULL,
    product_id      TEXT NOT NULL REFERENCES products (id),
    institution_id  TEXT NOT NULL REFERENCES institutions (id),
    score           NUMERIC NOT NULL,
    PRIMARY KEY (request_id, rank)
);

-- 派单: one per institution and request (the unique key makes a doubled dispatch impossible).
CREATE TABLE dispatches (
    id                    TEXT PRIMARY KEY,
    request_id            TEXT NOT NULL REFERENCES financing_requests (id),
    institution_id        TEXT NOT NULL REFERENCES institutions (id),
    product_id            TEXT NOT NULL REFERENCES products (id),
    rank                  INTEGER NOT NULL,
    status                TEXT NOT NULL,
    dispatched_at         TEXT NOT NULL,
    answer_due_at         TEXT NOT NULL,
    answered_at           TEXT NULL,
    answered_on_time      INTEGER NULL,
    decline_reason        TEXT NULL,
    feedback_due_at       TEXT NULL,
    outcome               TEXT NULL,
    approved_amount       NUMERIC NULL,
    approved_rate         NUMERIC NULL,
    approved_term_months  INTEGER NULL,
    reject_reason         TEXT NULL,
    feedback_at           TEXT NULL,
    overdue_at            TEXT NULL,
    updated_at            TEXT NOT NULL,
    CONSTRAINT ux_dispatches_request_institution UNIQUE (request_id, institution_id)
);
CREATE INDEX ix_dispatches_institution ON dispatches (institution_id, status);
CREATE INDEX ix_dispatches_answer_due ON dispatches (status, answer_due_at);
CREATE INDEX ix_dispatches_feedback_due ON dispatches (status, feedback_due_at);

-- What each user reads at GET /api/v1/notifications; regulators by region prefix.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient_role  TEXT NOT NULL,
    recipient_id    TEXT NULL,
    region_code     TEXT NOT NULL,
    request_id      TEXT NULL,
    event           TEXT NOT NULL,
    message         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    read_at         TEXT NULL
);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_role, recipient_id, id);

-- Signed webhook posts to institutions' own systems: each delivery and its attempts.
CREATE TABLE webhook_deliveries (
    id                TEXT PRIMARY KEY,
    institution_id    TEXT NOT NULL REFERENCES institutions (id),
    event             TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL,
    next_attempt_at   TEXT NULL,
    last_status_code  INTEGER NULL,
    last_error        TEXT NULL,
    created_at        TEXT NOT NULL,
    delivered_at      TEXT NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
