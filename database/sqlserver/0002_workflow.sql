-- The "three firsts" (三个第一) workflow (SQL Server). Keep in step with sqlite/ and postgresql/.
-- The database is the source of truth: each request and dispatch row holds its step and due time; jobs are
-- idempotent transitions of these rows, and the supervisor re-drives whatever is due.

ALTER TABLE financing_requests ADD published_at DATETIMEOFFSET NULL;
ALTER TABLE financing_requests ADD dispatched_at DATETIMEOFFSET NULL;
ALTER TABLE financing_requests ADD resolved_at DATETIMEOFFSET NULL;
ALTER TABLE financing_requests ADD rating INT NULL;
ALTER TABLE financing_requests ADD rating_comment NVARCHAR(500) NULL;
ALTER TABLE financing_requests ADD rated_at DATETIMEOFFSET NULL;
CREATE INDEX ix_financing_requests_status ON financing_requests (status, updated_at);

-- Events that concern one institution carry its id: another institution does not see them.
ALTER TABLE request_events ADD institution_id NVARCHAR(36) NULL;

-- The ranking published with the request: the snapshot that dispatch and re-dispatch walk down.
CREATE TABLE request_matches (
    request_id      NVARCHAR(36) NOT NULL REFERENCES financing_requests (id),
    rank            INT NOT NULL,
    product_id      NVARCHAR(36) NOT NULL REFERENCES products (id),
    institution_id  NVARCHAR(36) NOT NULL REFERENCES institutions (id),
    score           DECIMAL(6,3) NOT NULL,
    PRIMARY KEY (request_id, rank)
);

-- 派单: one per institution and request (the unique key makes a doubled dispatch impossible).
CREATE TABLE dispatches (
    id                    NVARCHAR(36) PRIMARY KEY,
    request_id            NVARCHAR(36) NOT NULL REFERENCES financing_requests (id),
    institution_id        NVARCHAR(36) NOT NULL REFERENCES institutions (id),
    product_id            NVARCHAR(36) NOT NULL REFERENCES products (id),
    rank                  INT NOT NULL,
    status                NVARCHAR(20) NOT NULL,
    dispatched_at         DATETIMEOFFSET NOT NULL,
    answer_due_at         DATETIMEOFFSET NOT NULL,
    answered_at           DATETIMEOFFSET NULL,
    answered_on_time      BIT NULL,
    decline_reason        NVARCHAR(500) NULL,
    feedback_due_at       DATETIMEOFFSET NULL,
    outcome               NVARCHAR(20) NULL,
    approved_amount       DECIMAL(18,2) NULL,
    approved_rate         DECIMAL(6,3) NULL,
    approved_term_months  INT NULL,
    reject_reason         NVARCHAR(500) NULL,
    feedback_at           DATETIMEOFFSET NULL,
    overdue_at            DATETIMEOFFSET NULL,
    updated_at            DATETIMEOFFSET NOT NULL,
    CONSTRAINT ux_dispatches_request_institution UNIQUE (request_id, institution_id)
);
CREATE INDEX ix_dispatches_institution ON dispatches (institution_id, status);
CREATE INDEX ix_dispatches_answer_due ON dispatches (status, answer_due_at);
CREATE INDEX ix_dispatches_feedback_due ON dispatches (status, feedback_due_at);

-- What each user reads at GET /api/v1/notifications; regulators by region prefix.
CREATE TABLE notifications (
    id              BIGINT IDENTITY(1,1) PRIMARY KEY,
    recipient_role  NVARCHAR(20) NOT NULL,
    recipient_id    NVARCHAR(36) NULL,
    region_code     NVARCHAR(6) NOT NULL,
    request_id      NVARCHAR(36) NULL,
    event           NVARCHAR(40) NOT NULL,
    message         NVARCHAR(1000) NOT NULL,
    created_at      DATETIMEOFFSET NOT NULL,
    read_at         DATETIMEOFFSET NULL
);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_role, recipient_id, id);

-- Signed webhook posts to institutions' own systems: each delivery and its attempts.
CREATE TABLE webhook_deliveries (
    id                NVARCHAR(36) PRIMARY KEY,
    institution_id    NVARCHAR(36) NOT NULL REFERENCES institutions (id),
    event             NVARCHAR(40) NOT NULL,
    payload           NVARCHAR(MAX) NOT NULL,
    status            NVARCHAR(20) NOT NULL,
    attempts          INT NOT NULL,
    next_attempt_at   DATETIMEOFFSET NULL,
    last_status_code  INT NULL,
    last_error        NVARCHAR(1000) NULL,
    created_at        DATETIMEOFFSET NOT NULL,
    delivered_at      DATETIMEOFFSET NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
