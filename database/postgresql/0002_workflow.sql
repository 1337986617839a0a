-- The "three firsts" (三个第一) workflow (PostgreSQL). Keep in step with sqlite/ and sqlserver/.
-- The database is the source of truth: each request and dispatch row holds its step and due time; jobs are
-- idempotent transitions of these rows, and the supervisor re-drives whatever is due.

ALTER TABLE financing_requests ADD COLUMN published_at TIMESTAMPTZ NULL;
ALTER TABLE financing_requests ADD COLUMN dispatched_at TIMESTAMPTZ NULL;
ALTER TABLE financing_requests ADD COLUMN resolved_at TIMESTAMPTZ NULL;
ALTER TABLE financing_requests ADD COLUMN rating INTEGER NULL;
ALTER TABLE financing_requests ADD COLUMN rating_comment VARCHAR(500) NULL;
ALTER TABLE financing_requests ADD COLUMN rated_at TIMESTAMPTZ NULL;
CREATE INDEX ix_financing_requests_status ON financing_requests (status, updated_at);

-- Events that concern one institution carry its id: another institution does not see them.
ALTER TABLE request_events ADD COLUMN institution_id VARCHAR(36) NULL;

-- The ranking published with the request: the snapshot that dispatch and re-dispatch walk down.
CREATE TABLE request_matches (
    request_id      VARCHAR(36) NOT NULL REFERENCES financing_requests (id),
    rank            INTEGER NOT NULL,
    product_id      VARCHAR(36) NOT NULL REFERENCES products (id),
    institution_id  VARCHAR(36) NOT NULL REFERENCES institutions (id),
    score           NUMERIC(6,3) NOT NULL,
    PRIMARY KEY (request_id, rank)
);

-- 派单: one per institution and request (the unique key makes a doubled dispatch impossible).
CREATE TABLE dispatches (
    id                    VARCHAR(36) PRIMARY KEY,
    request_id            VARCHAR(36) NOT NULL REFERENCES financing_requests (id),
    institution_id        VARCHAR(36) NOT NULL REFERENCES institutions (id),
    product_id            VARCHAR(36) NOT NULL REFERENCES products (id),
    rank                  INTEGER NOT NULL,
    status                VARCHAR(20) NOT NULL,
    dispatched_at         TIMESTAMPTZ NOT NULL,
    answer_due_at         TIMESTAMPTZ NOT NULL,
    answered_at           TIMESTAMPTZ NULL,
    answered_on_time      BOOLEAN NULL,
    decline_reason        VARCHAR(500) NULL,
    feedback_due_at       TIMESTAMPTZ NULL,
    outcome               VARCHAR(20) NULL,
    approved_amount       NUMERIC(18,2) NULL,
    approved_rate         NUMERIC(6,3) NULL,
    approved_term_months  INTEGER NULL,
    reject_reason         VARCHAR(500) NULL,
    feedback_at           TIMESTAMPTZ NULL,
    overdue_at            TIMESTAMPTZ NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    CONSTRAINT ux_dispatches_request_institution UNIQUE (request_id, institution_id)
);
CREATE INDEX ix_dispatches_institution ON dispatches (institution_id, status);
CREATE INDEX ix_dispatches_answer_due ON dispatches (status, answer_due_at);
CREATE INDEX ix_dispatches_feedback_due ON dispatches (status, feedback_due_at);

-- What each user reads at GET /api/v1/notifications; regulators by region prefix.
CREATE TABLE notifications (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_role  VARCHAR(20) NOT NULL,
    recipient_id    VARCHAR(36) NULL,
    region_code     VARCHAR(6) NOT NULL,
    request_id      VARCHAR(36) NULL,
    event           VARCHAR(40) NOT NULL,
    message         VARCHAR(1000) NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    read_at         TIMESTAMPTZ NULL
);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_role, recipient_id, id);

-- Signed webhook posts to institutions' own systems: each delivery and its attempts.
CREATE TABLE webhook_deliveries (
    id                VARCHAR(36) PRIMARY KEY,
    institution_id    VARCHAR(36) NOT NULL REFERENCES institutions (id),
    event             VARCHAR(40) NOT NULL,
    payload           TEXT NOT NULL,
    status            VARCHAR(20) NOT NULL,
    attempts          INTEGER NOT NULL,
    next_attempt_at   TIMESTAMPTZ NULL,
    last_status_code  INTEGER NULL,
    last_error        VARCHAR(1000) NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
