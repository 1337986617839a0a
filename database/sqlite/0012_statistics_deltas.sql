-- The regulator's statistics from a roll-up on SQLite too (issue 13: a million requests under 300 ms), kept as on
-- PostgreSQL (postgresql/0004 and 0012): statistics_rollup holds per Asia/Shanghai month of submission, region code and
-- group of three breakdowns the sums every figure is derived from and every delay value (packed 8 bytes a value,
-- big-endian, in thousandths of an hour); a write appends what it changes to statistics_deltas in its own transaction
-- (these triggers: no row another writer updates), the fold job (Features/Statistics/FoldStatistics.cs) moves the
-- deltas into the roll-up, and a read sums both in one snapshot. Each request counts in three rows, one per breakdown:
--   'industry'      group_key = the GB/T 4754 division (first 3 characters of the industry code)
--   'institution'   group_key = the approving institution, '' while not approved
--   'product_kind'  group_key = the approved product's kind, '' while not approved

CREATE TABLE statistics_rollup (
    breakdown                  TEXT NOT NULL,
    month                      TEXT NOT NULL,
    region_code                TEXT NOT NULL,
    group_key                  TEXT NOT NULL,
    requested_count            INTEGER NOT NULL,
    requested_amount           NUMERIC NOT NULL,
    published_count            INTEGER NOT NULL,
    dispatched_count           INTEGER NOT NULL,
    accepted_count             INTEGER NOT NULL,
    approved_count             INTEGER NOT NULL,
    approved_amount            NUMERIC NOT NULL,
    decided_count              INTEGER NOT NULL,
    first_loan_approved_count  INTEGER NOT NULL,
    credit_approved_amount     NUMERIC NOT NULL,
    answers_due                INTEGER NOT NULL,
    answers_on_time            INTEGER NOT NULL,
    rated_count                INTEGER NOT NULL,
    rating_sum                 INTEGER NOT NULL,
    first_answer_millihours    BLOB NOT NULL,
    result_millihours          BLOB NOT NULL,
    PRIMARY KEY (breakdown, month, region_code, group_key)
);

-- What a write added to (requested_count 1) or took from (requested_count -1) one roll-up row; a delay as its one value
-- (taken out when requested_count is -1).
CREATE TABLE statistics_deltas (
    id                         INTEGER PRIMARY KEY,
    breakdown                  TEXT NOT NULL,
    month                      TEXT NOT NULL,
    region_code                TEXT NOT NULL,
    group_key                  TEXT NOT NULL,
    requested_count            INTEGER NOT NULL,
    requested_amount           NUMERIC NOT NULL,
    published_count            INTEGER NOT NULL,
    dispatched_count           INTEGER NOT NULL,
    accepted_count             INTEGER NOT NULL,
    approved_count             INTEGER NOT NULL,
    approved_amount            NUMERIC NOT NULL,
    decided_count              INTEGER NOT NULL,
    first_loan_approved_count  INTEGER NOT NULL,
    credit_approved_amount     NUMERIC NOT NULL,
    answers_due                INTEGER NOT NULL,
    answers_on_time            INTEGER NOT NULL,
    rated_count                INTEGER NOT NULL,
    rating_sum                 INTEGER NOT NULL,
    first_answer_millihours    INTEGER NULL,
    result_millihours          INTEGER NULL
);

-- The fold takes this row's lock first (on SQLite the file's write lock: folds run one after the other anyway).
CREATE TABLE statistics_fold (
    id         INTEGER NOT NULL PRIMARY KEY,
    folded_at  TEXT NULL
);
INSERT INTO statistics_fold (id, folded_at) VALUES (1, NULL);

CREATE TRIGGER statistics_deltas_after_insert AFTER INSERT ON financing_requests
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, first_answer_millihours, result_millihours)
    SELECT b.breakdown AS breakdown, substr(NEW.submitted_day, 1, 7) AS month, NEW.region_code AS region_code,
           CASE b.breakdown WHEN 'industry' THEN substr(NEW.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(NEW.approved_institution_id, '')
                            ELSE COALESCE(NEW.approved_product_kind, '') END AS group_key,
           1 AS requested_count,
           NEW.amount AS requested_amount,
           NEW.published_at IS NOT NULL AS published_count,
           NEW.dispatched_at IS NOT NULL AS dispatched_count,
           NEW.accepted_at IS NOT NULL AS accepted_count,
           NEW.approved_amount IS NOT NULL AS approved_count,
           COALESCE(NEW.approved_amount, 0) AS approved_amount,
           NEW.status IN ('resolved', 'expired') AS decided_count,
           NEW.approved_amount IS NOT NULL AND NEW.first_loan = 1 AS first_loan_approved_count,
           CASE WHEN NEW.approved_credit = 1 THEN COALESCE(NEW.approved_amount, 0) ELSE 0 END AS credit_approved_amount,
           NEW.answers_due AS answers_due,
           NEW.answers_on_time AS answers_on_time,
           NEW.rating IS NOT NULL AS rated_count,
           COALESCE(NEW.rating, 0) AS rating_sum,
           CAST(ROUND(NEW.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
           CAST(ROUND(NEW.hours_to_result * 1000) AS INTEGER) AS result_millihours
    FROM (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
    WHERE NEW.submitted_day IS NOT NULL;
END;

CREATE TRIGGER statistics_deltas_after_delete AFTER DELETE ON financing_requests
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, first_answer_millihours, result_millihours)
    SELECT b.breakdown AS breakdown, substr(OLD.submitted_day, 1, 7) AS month, OLD.region_code AS region_code,
           CASE b.breakdown WHEN 'industry' THEN substr(OLD.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(OLD.approved_institution_id, '')
                            ELSE COALESCE(OLD.approved_product_kind, '') END AS group_key,
           -1 AS requested_count,
           -(OLD.amount) AS requested_amount,
           -(OLD.published_at IS NOT NULL) AS published_count,
           -(OLD.dispatched_at IS NOT NULL) AS dispatched_count,
           -(OLD.accepted_at IS NOT NULL) AS accepted_count,
           -(OLD.approved_amount IS NOT NULL) AS approved_count,
           -(COALESCE(OLD.approved_amount, 0)) AS approved_amount,
           -(OLD.status IN ('resolved', 'expired')) AS decided_count,
           -(OLD.approved_amount IS NOT NULL AND OLD.first_loan = 1) AS first_loan_approved_count,
           -(CASE WHEN OLD.approved_credit = 1 THEN COALESCE(OLD.approved_amount, 0) ELSE 0 END) AS credit_approved_amount,
           -(OLD.answers_due) AS answers_due,
           -(OLD.answers_on_time) AS answers_on_time,
           -(OLD.rating IS NOT NULL) AS rated_count,
           -(COALESCE(OLD.rating, 0)) AS rating_sum,
           CAST(ROUND(OLD.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
           CAST(ROUND(OLD.hours_to_result * 1000) AS INTEGER) AS result_millihours
    FROM (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
    WHERE OLD.submitted_day IS NOT NULL;
END;

-- An update appends only the contributions it changes: the new ones not among the old (added), the old ones not among
-- the new (taken out, their sums negated). An update of no figure's column (the dispatcher's claim) appends nothing.
CREATE TRIGGER statistics_deltas_after_update AFTER UPDATE ON financing_requests
WHEN (OLD.submitted_day, OLD.region_code, OLD.industry_code, OLD.amount, OLD.status, OLD.published_at, OLD.dispatched_at, OLD.accepted_at, OLD.first_loan, OLD.hours_to_first_answer, OLD.hours_to_result, OLD.answers_due, OLD.answers_on_time, OLD.approved_amount, OLD.approved_credit, OLD.approved_institution_id, OLD.approved_product_kind, OLD.rating)
     IS NOT (NEW.submitted_day, NEW.region_code, NEW.industry_code, NEW.amount, NEW.status, NEW.published_at, NEW.dispatched_at, NEW.accepted_at, NEW.first_loan, NEW.hours_to_first_answer, NEW.hours_to_result, NEW.answers_due, NEW.answers_on_time, NEW.approved_amount, NEW.approved_credit, NEW.approved_institution_id, NEW.approved_product_kind, NEW.rating)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, first_answer_millihours, result_millihours)
    SELECT b.breakdown AS breakdown, substr(NEW.submitted_day, 1, 7) AS month, NEW.region_code AS region_code,
           CASE b.breakdown WHEN 'industry' THEN substr(NEW.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(NEW.approved_institution_id, '')
                            ELSE COALESCE(NEW.approved_product_kind, '') END AS group_key,
           1 AS requested_count,
           NEW.amount AS requested_amount,
           NEW.published_at IS NOT NULL AS published_count,
           NEW.dispatched_at IS NOT NULL AS dispatched_count,
           NEW.accepted_at IS NOT NULL AS accepted_count,
           NEW.approved_amount IS NOT NULL AS approved_count,
           COALESCE(NEW.approved_amount, 0) AS approved_amount,
           NEW.status IN ('resolved', 'expired') AS decided_count,
           NEW.approved_amount IS NOT NULL AND NEW.first_loan = 1 AS first_loan_approved_count,
           CASE WHEN NEW.approved_credit = 1 THEN COALESCE(NEW.approved_amount, 0) ELSE 0 END AS credit_approved_amount,
           NEW.answers_due AS answers_due,
           NEW.answers_on_time AS answers_on_time,
           NEW.rating IS NOT NULL AS rated_count,
           COALESCE(NEW.rating, 0) AS rating_sum,
           CAST(ROUND(NEW.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
           CAST(ROUND(NEW.hours_to_result * 1000) AS INTEGER) AS result_millihours
    FROM (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
    WHERE NEW.submitted_day IS NOT NULL
    EXCEPT
    SELECT b.breakdown AS breakdown, substr(OLD.submitted_day, 1, 7) AS month, OLD.region_code AS region_code,
           CASE b.breakdown WHEN 'industry' THEN substr(OLD.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(OLD.approved_institution_id, '')
                            ELSE COALESCE(OLD.approved_product_kind, '') END AS group_key,
           1 AS requested_count,
           OLD.amount AS requested_amount,
           OLD.published_at IS NOT NULL AS published_count,
           OLD.dispatched_at IS NOT NULL AS dispatched_count,
           OLD.accepted_at IS NOT NULL AS accepted_count,
           OLD.approved_amount IS NOT NULL AS approved_count,
           COALESCE(OLD.approved_amount, 0) AS approved_amount,
           OLD.status IN ('resolved', 'expired') AS decided_count,
           OLD.approved_amount IS NOT NULL AND OLD.first_loan = 1 AS first_loan_approved_count,
           CASE WHEN OLD.approved_credit = 1 THEN COALESCE(OLD.approved_amount, 0) ELSE 0 END AS credit_approved_amount,
           OLD.answers_due AS answers_due,
           OLD.answers_on_time AS answers_on_time,
           OLD.rating IS NOT NULL AS rated_count,
           COALESCE(OLD.rating, 0) AS rating_sum,
           CAST(ROUND(OLD.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
           CAST(ROUND(OLD.hours_to_result * 1000) AS INTEGER) AS result_millihours
    FROM (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
    WHERE OLD.submitted_day IS NOT NULL;
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, first_answer_millihours, result_millihours)
    SELECT breakdown, month, region_code, group_key, -requested_count, -requested_amount, -published_count, -dispatched_count, -accepted_count, -approved_count, -approved_amount, -decided_count, -first_loan_approved_count, -credit_approved_amount, -answers_due, -answers_on_time, -rated_count, -rating_sum, first_answer_millihours, result_millihours
    FROM (
        SELECT b.breakdown AS breakdown, substr(OLD.submitted_day, 1, 7) AS month, OLD.region_code AS region_code,
               CASE b.breakdown WHEN 'industry' THEN substr(OLD.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(OLD.approved_institution_id, '')
                                ELSE COALESCE(OLD.approved_product_kind, '') END AS group_key,
               1 AS requested_count,
               OLD.amount AS requested_amount,
               OLD.published_at IS NOT NULL AS published_count,
               OLD.dispatched_at IS NOT NULL AS dispatched_count,
               OLD.accepted_at IS NOT NULL AS accepted_count,
               OLD.approved_amount IS NOT NULL AS approved_count,
               COALESCE(OLD.approved_amount, 0) AS approved_amount,
               OLD.status IN ('resolved', 'expired') AS decided_count,
               OLD.approved_amount IS NOT NULL AND OLD.first_loan = 1 AS first_loan_approved_count,
               CASE WHEN OLD.approved_credit = 1 THEN COALESCE(OLD.approved_amount, 0) ELSE 0 END AS credit_approved_amount,
               OLD.answers_due AS answers_due,
               OLD.answers_on_time AS answers_on_time,
               OLD.rating IS NOT NULL AS rated_count,
               COALESCE(OLD.rating, 0) AS rating_sum,
               CAST(ROUND(OLD.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
               CAST(ROUND(OLD.hours_to_result * 1000) AS INTEGER) AS result_millihours
        FROM (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
        WHERE OLD.submitted_day IS NOT NULL
        EXCEPT
        SELECT b.breakdown AS breakdown, substr(NEW.submitted_day, 1, 7) AS month, NEW.region_code AS region_code,
               CASE b.breakdown WHEN 'industry' THEN substr(NEW.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(NEW.approved_institution_id, '')
                                ELSE COALESCE(NEW.approved_product_kind, '') END AS group_key,
               1 AS requested_count,
               NEW.amount AS requested_amount,
               NEW.published_at IS NOT NULL AS published_count,
               NEW.dispatched_at IS NOT NULL AS dispatched_count,
               NEW.accepted_at IS NOT NULL AS accepted_count,
               NEW.approved_amount IS NOT NULL AS approved_count,
               COALESCE(NEW.approved_amount, 0) AS approved_amount,
               NEW.status IN ('resolved', 'expired') AS decided_count,
               NEW.approved_amount IS NOT NULL AND NEW.first_loan = 1 AS first_loan_approved_count,
               CASE WHEN NEW.approved_credit = 1 THEN COALESCE(NEW.approved_amount, 0) ELSE 0 END AS credit_approved_amount,
               NEW.answers_due AS answers_due,
               NEW.answers_on_time AS answers_on_time,
               NEW.rating IS NOT NULL AS rated_count,
               COALESCE(NEW.rating, 0) AS rating_sum,
               CAST(ROUND(NEW.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
               CAST(ROUND(NEW.hours_to_result * 1000) AS INTEGER) AS result_millihours
        FROM (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
        WHERE NEW.submitted_day IS NOT NULL);
END;

-- The requests stored before this migration: their contributions, folded by the job's first run.
INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, first_answer_millihours, result_millihours)
SELECT b.breakdown AS breakdown, substr(r.submitted_day, 1, 7) AS month, r.region_code AS region_code,
       CASE b.breakdown WHEN 'industry' THEN substr(r.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(r.approved_institution_id, '')
                        ELSE COALESCE(r.approved_product_kind, '') END AS group_key,
       1 AS requested_count,
       r.amount AS requested_amount,
       r.published_at IS NOT NULL AS published_count,
       r.dispatched_at IS NOT NULL AS dispatched_count,
       r.accepted_at IS NOT NULL AS accepted_count,
       r.approved_amount IS NOT NULL AS approved_count,
       COALESCE(r.approved_amount, 0) AS approved_amount,
       r.status IN ('resolved', 'expired') AS decided_count,
       r.approved_amount IS NOT NULL AND r.first_loan = 1 AS first_loan_approved_count,
       CASE WHEN r.approved_credit = 1 THEN COALESCE(r.approved_amount, 0) ELSE 0 END AS credit_approved_amount,
       r.answers_due AS answers_due,
       r.answers_on_time AS answers_on_time,
       r.rating IS NOT NULL AS rated_count,
       COALESCE(r.rating, 0) AS rating_sum,
       CAST(ROUND(r.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
       CAST(ROUND(r.hours_to_result * 1000) AS INTEGER) AS result_millihours
FROM financing_requests AS r CROSS JOIN (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
WHERE r.submitted_day IS NOT NULL;
