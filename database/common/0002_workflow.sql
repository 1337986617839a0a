-- The "three firsts" (三个第一) workflow, for every provider (tokens: see 0001_initial.sql).
-- The database is the source of truth: each request and dispatch row holds its step and due time; jobs are
-- idempotent transitions of these rows, and the supervisor re-drives whatever is due.

ALTER TABLE financing_requests $add_column$ published_at $timestamp$ NULL;
ALTER TABLE financing_requests $add_column$ dispatched_at $timestamp$ NULL;
ALTER TABLE financing_requests $add_column$ resolved_at $timestamp$ NULL;
ALTER TABLE financing_requests $add_column$ rating $int$ NULL;
ALTER TABLE financing_requests $add_column$ rating_comment $varchar_500$ NULL;
ALTER TABLE financing_requests $add_column$ rated_at $timestamp$ NULL;
CREATE INDEX ix_financing_requests_status ON financing_requests (status, updated_at);

-- Events that concern one institution carry its id: another institution does not see them.
ALTER TABLE request_events $add_column$ institution_id $varchar_36$ NULL;

-- The ranking published with the request: the snapshot that dispatch and re-dispatch walk down.
CREATE TABLE request_matches (
    request_id      $varchar_36$ NOT NULL REFERENCES financing_requests (id),
    rank            $int$ NOT NULL,
    product_id      $varchar_36$ NOT NULL REFERENCES products (id),
    institution_id  $varchar_36$ NOT NULL REFERENCES institutions (id),
    score           $decimal_6_3$ NOT NULL,
    PRIMARY KEY (request_id, rank)
);

-- 派单: one per institution and request (the unique key makes a doubled dispatch impossible).
CREATE TABLE dispatches (
    id                    $varchar_36$ PRIMARY KEY,
    request_id            $varchar_36$ NOT NULL REFERENCES financing_requests (id),
    institution_id        $varchar_36$ NOT NULL REFERENCES institutions (id),
    product_id            $varchar_36$ NOT NULL REFERENCES products (id),
    rank                  $int$ NOT NULL,
    status                $varchar_20$ NOT NULL,
    dispatched_at         $timestamp$ NOT NULL,
    answer_due_at         $timestamp$ NOT NULL,
    answered_at           $timestamp$ NULL,
    answered_on_time      $bool$ NULL,
    decline_reason        $varchar_500$ NULL,
    feedback_due_at       $timestamp$ NULL,
    outcome               $varchar_20$ NULL,
    approved_amount       $decimal_18_2$ NULL,
    approved_rate         $decimal_6_3$ NULL,
    approved_term_months  $int$ NULL,
    reject_reason         $varchar_500$ NULL,
    feedback_at           $timestamp$ NULL,
    overdue_at            $timestamp$ NULL,
    updated_at            $timestamp$ NOT NULL,
    CONSTRAINT ux_dispatches_request_institution UNIQUE (request_id, institution_id)
);
CREATE INDEX ix_dispatches_institution ON dispatches (institution_id, status);
CREATE INDEX ix_dispatches_answer_due ON dispatches (status, answer_due_at);
CREATE INDEX ix_dispatches_feedback_due ON dispatches (status, feedback_due_at);

-- What each user reads at GET /api/v1/notifications; regulators by region prefix.
CREATE TABLE notifications (
    id              $identity_key$,
    recipient_role  $varchar_20$ NOT NULL,
    recipient_id    $varchar_36$ NULL,
    region_code     $varchar_6$ NOT NULL,
    request_id      $varchar_36$ NULL,
    event           $varchar_40$ NOT NULL,
    message         $varchar_1000$ NOT NULL,
    created_at      $timestamp$ NOT NULL,
    read_at         $timestamp$ NULL
);
CREATE INDEX ix_notifications_recipient ON notifications (recipient_role, recipient_id, id);

-- Signed webhook posts to institutions' own systems: each delivery and its attempts.
CREATE TABLE webhook_deliveries (
    id                $varchar_36$ PRIMARY KEY,
    institution_id    $varchar_36$ NOT NULL REFERENCES institutions (id),
    event             $varchar_40$ NOT NULL,
    payload           $text$ NOT NULL,
    status            $varchar_20$ NOT NULL,
    attempts          $int$ NOT NULL,
    next_attempt_at   $timestamp$ NULL,
    last_status_code  $int$ NULL,
    last_error        $varchar_1000$ NULL,
    created_at        $timestamp$ NOT NULL,
    delivered_at      $timestamp$ NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
