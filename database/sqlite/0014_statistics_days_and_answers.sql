-- The roll-up for any period, as on PostgreSQL (postgresql/0014): statistics_rollup_days holds the same sums and delay
-- counts per Asia/Shanghai day of submission beside the month rows, so a period cutting through a month reads its other
-- days from there instead of from the request rows; and the breakdown 'answers' holds each institution's own answers
-- (those given and the deadlines passed unanswered, and those in time) in its dispatched requests' cohorts, kept by
-- triggers on dispatches, so the institution breakdown reads no dispatch. Each delta carries its day; the fold job folds
-- it into both tables. The roll-up is derived: it is rebuilt here.

DROP TRIGGER statistics_deltas_after_insert;
DROP TRIGGER statistics_deltas_before_delete;
DROP TRIGGER statistics_deltas_before_update;
DROP TRIGGER statistics_deltas_after_update;
DROP VIEW statistics_contributions;

ALTER TABLE statistics_deltas ADD COLUMN day TEXT NOT NULL DEFAULT '';

CREATE TABLE statistics_rollup_days (
    breakdown                  TEXT NOT NULL,
    -- '' (the country), a province, city or county code
    region_code                TEXT NOT NULL,
    -- YYYY-MM-DD, the Asia/Shanghai day of submission
    day                        TEXT NOT NULL,
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
    rate_weight                NUMERIC NOT NULL,
    rated_amount               NUMERIC NOT NULL,
    disputed_count             INTEGER NOT NULL,
    disputed_amount            NUMERIC NOT NULL,
    first_answer_delays        TEXT NOT NULL,
    result_delays              TEXT NOT NULL,
    -- A period's days of one breakdown are a range of this key (the region code, often a pattern, is filtered in it).
    PRIMARY KEY (breakdown, day, region_code, group_key)
);

-- As in 0013, with the day.
CREATE VIEW statistics_contributions AS
SELECT r.id AS request_id, s.sign AS sign, b.breakdown AS breakdown, substr(r.submitted_day, 1, 7) AS month, r.region_code AS region_code,
       CASE b.breakdown WHEN 'industry' THEN substr(r.industry_code, 1, 3) WHEN 'institution' THEN COALESCE(r.approved_institution_id, '')
                        ELSE COALESCE(r.approved_product_kind, '') END AS group_key,
       s.sign AS requested_count,
       s.sign * r.amount AS requested_amount,
       s.sign * (r.published_at IS NOT NULL) AS published_count,
       s.sign * (r.dispatched_at IS NOT NULL) AS dispatched_count,
       s.sign * (r.accepted_at IS NOT NULL) AS accepted_count,
       s.sign * (r.approved_amount IS NOT NULL) AS approved_count,
       s.sign * COALESCE(r.approved_amount, 0) AS approved_amount,
       s.sign * (r.status IN ('resolved', 'expired')) AS decided_count,
       s.sign * (r.approved_amount IS NOT NULL AND r.first_loan = 1) AS first_loan_approved_count,
       s.sign * (CASE WHEN r.approved_credit = 1 THEN COALESCE(r.approved_amount, 0) ELSE 0 END) AS credit_approved_amount,
       s.sign * r.answers_due AS answers_due,
       s.sign * r.answers_on_time AS answers_on_time,
       s.sign * (r.rating IS NOT NULL) AS rated_count,
       s.sign * COALESCE(r.rating, 0) AS rating_sum,
       s.sign * COALESCE(r.approved_amount * r.approved_rate, 0) AS rate_weight,
       s.sign * (CASE WHEN r.approved_rate IS NOT NULL THEN COALESCE(r.approved_amount, 0) ELSE 0 END) AS rated_amount,
       s.sign * (r.disputed_amount IS NOT NULL) AS disputed_count,
       s.sign * COALESCE(r.disputed_amount, 0) AS disputed_amount,
       CAST(ROUND(r.hours_to_first_answer * 1000) AS INTEGER) AS first_answer_millihours,
       CAST(ROUND(r.hours_to_result * 1000) AS INTEGER) AS result_millihours,
       r.submitted_day AS day
FROM financing_requests AS r
     CROSS JOIN (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
     CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) AS s
WHERE r.submitted_day IS NOT NULL;

-- What a dispatch adds to (sign 1) or takes from (sign -1) the 'answers' row of its institution in its request's cohort,
-- as FigureSums.InstitutionAnswersSql counts it; nothing for a dispatch not answered yet.
CREATE VIEW statistics_answer_contributions AS
SELECT d.id AS dispatch_id, s.sign AS sign, 'answers' AS breakdown, substr(r.submitted_day, 1, 7) AS month, r.region_code AS region_code,
       d.institution_id AS group_key, 0 AS requested_count, 0 AS requested_amount, 0 AS published_count, 0 AS dispatched_count,
       0 AS accepted_count, 0 AS approved_count, 0 AS approved_amount, 0 AS decided_count, 0 AS first_loan_approved_count,
       0 AS credit_approved_amount,
       s.sign * (d.answered_at IS NOT NULL OR d.status = 'overdue') AS answers_due,
       s.sign * (COALESCE(d.answered_on_time, 0) = 1) AS answers_on_time,
       0 AS rated_count, 0 AS rating_sum, 0 AS rate_weight, 0 AS rated_amount, 0 AS disputed_count, 0 AS disputed_amount,
       NULL AS first_answer_millihours, NULL AS result_millihours, r.submitted_day AS day
FROM dispatches AS d
     JOIN financing_requests AS r ON r.id = d.request_id
     CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) AS s
WHERE r.submitted_day IS NOT NULL AND (d.answered_at IS NOT NULL OR d.status = 'overdue' OR d.answered_on_time = 1);

-- As in 0013, with the day.
CREATE TRIGGER statistics_deltas_after_insert AFTER INSERT ON financing_requests
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_contributions WHERE request_id = NEW.id AND sign = 1;
END;

CREATE TRIGGER statistics_deltas_before_delete BEFORE DELETE ON financing_requests
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_contributions WHERE request_id = OLD.id AND sign = -1;
END;

CREATE TRIGGER statistics_deltas_before_update BEFORE UPDATE ON financing_requests
WHEN (OLD.submitted_day, OLD.region_code, OLD.industry_code, OLD.amount, OLD.status, OLD.published_at, OLD.dispatched_at, OLD.accepted_at, OLD.first_loan, OLD.hours_to_first_answer, OLD.hours_to_result, OLD.answers_due, OLD.answers_on_time, OLD.approved_amount, OLD.approved_credit, OLD.approved_institution_id, OLD.approved_product_kind, OLD.rating, OLD.approved_rate, OLD.disputed_amount)
     IS NOT (NEW.submitted_day, NEW.region_code, NEW.industry_code, NEW.amount, NEW.status, NEW.published_at, NEW.dispatched_at, NEW.accepted_at, NEW.first_loan, NEW.hours_to_first_answer, NEW.hours_to_result, NEW.answers_due, NEW.answers_on_time, NEW.approved_amount, NEW.approved_credit, NEW.approved_institution_id, NEW.approved_product_kind, NEW.rating, NEW.approved_rate, NEW.disputed_amount)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_contributions WHERE request_id = OLD.id AND sign = -1;
END;

CREATE TRIGGER statistics_deltas_after_update AFTER UPDATE ON financing_requests
WHEN (OLD.submitted_day, OLD.region_code, OLD.industry_code, OLD.amount, OLD.status, OLD.published_at, OLD.dispatched_at, OLD.accepted_at, OLD.first_loan, OLD.hours_to_first_answer, OLD.hours_to_result, OLD.answers_due, OLD.answers_on_time, OLD.approved_amount, OLD.approved_credit, OLD.approved_institution_id, OLD.approved_product_kind, OLD.rating, OLD.approved_rate, OLD.disputed_amount)
     IS NOT (NEW.submitted_day, NEW.region_code, NEW.industry_code, NEW.amount, NEW.status, NEW.published_at, NEW.dispatched_at, NEW.accepted_at, NEW.first_loan, NEW.hours_to_first_answer, NEW.hours_to_result, NEW.answers_due, NEW.answers_on_time, NEW.approved_amount, NEW.approved_credit, NEW.approved_institution_id, NEW.approved_product_kind, NEW.rating, NEW.approved_rate, NEW.disputed_amount)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_contributions WHERE request_id = NEW.id AND sign = 1;
END;

-- A dispatch's answer: only a change of what the answers count fires these (its claim, feedback and closing do not).
CREATE TRIGGER statistics_answers_after_insert AFTER INSERT ON dispatches
WHEN NEW.answered_at IS NOT NULL OR NEW.status = 'overdue' OR NEW.answered_on_time = 1
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_answer_contributions WHERE dispatch_id = NEW.id AND sign = 1;
END;

CREATE TRIGGER statistics_answers_before_delete BEFORE DELETE ON dispatches
WHEN OLD.answered_at IS NOT NULL OR OLD.status = 'overdue' OR OLD.answered_on_time = 1
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_answer_contributions WHERE dispatch_id = OLD.id AND sign = -1;
END;

CREATE TRIGGER statistics_answers_before_update BEFORE UPDATE ON dispatches
WHEN (OLD.answered_at IS NOT NULL OR OLD.status = 'overdue', COALESCE(OLD.answered_on_time, 0), OLD.institution_id, OLD.request_id)
     IS NOT (NEW.answered_at IS NOT NULL OR NEW.status = 'overdue', COALESCE(NEW.answered_on_time, 0), NEW.institution_id, NEW.request_id)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_answer_contributions WHERE dispatch_id = OLD.id AND sign = -1;
END;

CREATE TRIGGER statistics_answers_after_update AFTER UPDATE ON dispatches
WHEN (OLD.answered_at IS NOT NULL OR OLD.status = 'overdue', COALESCE(OLD.answered_on_time, 0), OLD.institution_id, OLD.request_id)
     IS NOT (NEW.answered_at IS NOT NULL OR NEW.status = 'overdue', COALESCE(NEW.answered_on_time, 0), NEW.institution_id, NEW.request_id)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours, day
    FROM statistics_answer_contributions WHERE dispatch_id = NEW.id AND sign = 1;
END;

-- The roll-up rebuilt from the rows (the deltas not folded yet are in it): every contribution summed per county, day and
-- group once, then each level of the region code and each month from those sums; the delays likewise, counted per
-- value rounded as DelayHistogram.Round.
DELETE FROM statistics_deltas;
DELETE FROM statistics_rollup;

CREATE TEMPORARY TABLE statistics_rebuilt_sums AS
SELECT breakdown, region_code, day, group_key, SUM(requested_count) AS requested_count, SUM(requested_amount) AS requested_amount, SUM(published_count) AS published_count, SUM(dispatched_count) AS dispatched_count, SUM(accepted_count) AS accepted_count, SUM(approved_count) AS approved_count, SUM(approved_amount) AS approved_amount, SUM(decided_count) AS decided_count, SUM(first_loan_approved_count) AS first_loan_approved_count, SUM(credit_approved_amount) AS credit_approved_amount, SUM(answers_due) AS answers_due, SUM(answers_on_time) AS answers_on_time, SUM(rated_count) AS rated_count, SUM(rating_sum) AS rating_sum, SUM(rate_weight) AS rate_weight, SUM(rated_amount) AS rated_amount, SUM(disputed_count) AS disputed_count, SUM(disputed_amount) AS disputed_amount
FROM (SELECT * FROM statistics_contributions WHERE sign = 1 UNION ALL SELECT * FROM statistics_answer_contributions WHERE sign = 1)
GROUP BY 1, 2, 3, 4;

CREATE TEMPORARY TABLE statistics_rebuilt_delays AS
SELECT breakdown, substr(region_code, 1, l.depth) AS region_code, day, group_key, kind, value, SUM(times) AS times
FROM (SELECT breakdown, region_code, day, group_key, kind, (millihours + unit / 2) / unit * unit AS value, COUNT(*) AS times
      FROM (SELECT breakdown, region_code, day, group_key, kind, millihours,
                   CASE WHEN millihours < 1000 THEN 10 WHEN millihours < 10000 THEN 100 WHEN millihours < 100000 THEN 1000 ELSE 10000 END AS unit
            FROM (SELECT c.breakdown, c.region_code, c.day, c.group_key, d.kind,
                         CASE d.kind WHEN 'first_answer' THEN c.first_answer_millihours ELSE c.result_millihours END AS millihours
                  FROM statistics_contributions AS c CROSS JOIN (SELECT 'first_answer' AS kind UNION ALL SELECT 'result') AS d
                  WHERE c.sign = 1)
            WHERE millihours IS NOT NULL)
      GROUP BY 1, 2, 3, 4, 5, 6)
     JOIN (SELECT 0 AS depth UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6) AS l ON l.depth <= length(region_code)
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO statistics_rollup_days
SELECT s.*, COALESCE(h.first_answer_delays, ''), COALESCE(h.result_delays, '')
FROM (SELECT breakdown, substr(region_code, 1, l.depth) AS region_code, day, group_key, SUM(requested_count) AS requested_count, SUM(requested_amount) AS requested_amount, SUM(published_count) AS published_count, SUM(dispatched_count) AS dispatched_count, SUM(accepted_count) AS accepted_count, SUM(approved_count) AS approved_count, SUM(approved_amount) AS approved_amount, SUM(decided_count) AS decided_count, SUM(first_loan_approved_count) AS first_loan_approved_count, SUM(credit_approved_amount) AS credit_approved_amount, SUM(answers_due) AS answers_due, SUM(answers_on_time) AS answers_on_time, SUM(rated_count) AS rated_count, SUM(rating_sum) AS rating_sum, SUM(rate_weight) AS rate_weight, SUM(rated_amount) AS rated_amount, SUM(disputed_count) AS disputed_count, SUM(disputed_amount) AS disputed_amount
      FROM statistics_rebuilt_sums JOIN (SELECT 0 AS depth UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6) AS l ON l.depth <= length(region_code)
      GROUP BY 1, 2, 3, 4) AS s
     LEFT JOIN (SELECT breakdown, region_code, day, group_key,
                       COALESCE(group_concat(CASE WHEN kind = 'first_answer' THEN value || ':' || times END, ','), '') AS first_answer_delays,
                       COALESCE(group_concat(CASE WHEN kind = 'result' THEN value || ':' || times END, ','), '') AS result_delays
                FROM statistics_rebuilt_delays GROUP BY 1, 2, 3, 4) AS h
     ON h.breakdown = s.breakdown AND h.region_code = s.region_code AND h.day = s.day AND h.group_key = s.group_key;

INSERT INTO statistics_rollup
SELECT s.*, COALESCE(h.first_answer_delays, ''), COALESCE(h.result_delays, '')
FROM (SELECT breakdown, region_code, substr(day, 1, 7) AS month, group_key, SUM(requested_count) AS requested_count, SUM(requested_amount) AS requested_amount, SUM(published_count) AS published_count, SUM(dispatched_count) AS dispatched_count, SUM(accepted_count) AS accepted_count, SUM(approved_count) AS approved_count, SUM(approved_amount) AS approved_amount, SUM(decided_count) AS decided_count, SUM(first_loan_approved_count) AS first_loan_approved_count, SUM(credit_approved_amount) AS credit_approved_amount, SUM(answers_due) AS answers_due, SUM(answers_on_time) AS answers_on_time, SUM(rated_count) AS rated_count, SUM(rating_sum) AS rating_sum, SUM(rate_weight) AS rate_weight, SUM(rated_amount) AS rated_amount, SUM(disputed_count) AS disputed_count, SUM(disputed_amount) AS disputed_amount
      FROM statistics_rollup_days GROUP BY 1, 2, 3, 4) AS s
     LEFT JOIN (SELECT breakdown, region_code, month, group_key,
                       COALESCE(group_concat(CASE WHEN kind = 'first_answer' THEN value || ':' || times END, ','), '') AS first_answer_delays,
                       COALESCE(group_concat(CASE WHEN kind = 'result' THEN value || ':' || times END, ','), '') AS result_delays
                FROM (SELECT breakdown, region_code, substr(day, 1, 7) AS month, group_key, kind, value, SUM(times) AS times
                      FROM statistics_rebuilt_delays GROUP BY 1, 2, 3, 4, 5, 6)
                GROUP BY 1, 2, 3, 4) AS h
     ON h.breakdown = s.breakdown AND h.region_code = s.region_code AND h.month = s.month AND h.group_key = s.group_key;

DROP TABLE statistics_rebuilt_sums;
DROP TABLE statistics_rebuilt_delays;
