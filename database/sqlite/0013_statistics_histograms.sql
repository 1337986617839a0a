-- The roll-up at scale (issue 13), as on PostgreSQL (postgresql/0013): statistics_rollup holds the approvals' rate
-- weights and disputes beside the other sums, and per delay the count of each value rounded to two significant figures
-- (Features/Statistics/DelayHistogram.cs) instead of every value; each request counts at every level of its region code
-- (the country '', province, city, county), so a scope reads the rows of its own region only. The roll-up is derived:
-- it is dropped and rebuilt from the rows here. The triggers now take a request's contributions from one view
-- (statistics_contributions) instead of repeating its expressions in each trigger.

DROP TRIGGER statistics_deltas_after_insert;
DROP TRIGGER statistics_deltas_after_delete;
DROP TRIGGER statistics_deltas_after_update;

ALTER TABLE statistics_deltas ADD COLUMN rate_weight NUMERIC NOT NULL DEFAULT 0;
ALTER TABLE statistics_deltas ADD COLUMN rated_amount NUMERIC NOT NULL DEFAULT 0;
ALTER TABLE statistics_deltas ADD COLUMN disputed_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE statistics_deltas ADD COLUMN disputed_amount NUMERIC NOT NULL DEFAULT 0;

-- What each request adds to (sign 1) or takes from (sign -1) each of its three roll-up rows, named as statistics_deltas'
-- columns: the figures' definitions, as FigureSums.SelectSql sums them over financing_requests; a delay in thousandths of
-- an hour (its one value, taken out when requested_count is -1).
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
       CAST(ROUND(r.hours_to_result * 1000) AS INTEGER) AS result_millihours
FROM financing_requests AS r
     CROSS JOIN (SELECT 'industry' AS breakdown UNION ALL SELECT 'institution' UNION ALL SELECT 'product_kind') AS b
     CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) AS s
WHERE r.submitted_day IS NOT NULL;

-- A write appends its request's contributions in its own transaction: an insert its new ones, a delete its old ones taken
-- out (read before the row goes), an update of a figure's column both (an update of no figure's column, such as the
-- dispatcher's claim, appends nothing).
CREATE TRIGGER statistics_deltas_after_insert AFTER INSERT ON financing_requests
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours
    FROM statistics_contributions WHERE request_id = NEW.id AND sign = 1;
END;

CREATE TRIGGER statistics_deltas_before_delete BEFORE DELETE ON financing_requests
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours
    FROM statistics_contributions WHERE request_id = OLD.id AND sign = -1;
END;

CREATE TRIGGER statistics_deltas_before_update BEFORE UPDATE ON financing_requests
WHEN (OLD.submitted_day, OLD.region_code, OLD.industry_code, OLD.amount, OLD.status, OLD.published_at, OLD.dispatched_at, OLD.accepted_at, OLD.first_loan, OLD.hours_to_first_answer, OLD.hours_to_result, OLD.answers_due, OLD.answers_on_time, OLD.approved_amount, OLD.approved_credit, OLD.approved_institution_id, OLD.approved_product_kind, OLD.rating, OLD.approved_rate, OLD.disputed_amount)
     IS NOT (NEW.submitted_day, NEW.region_code, NEW.industry_code, NEW.amount, NEW.status, NEW.published_at, NEW.dispatched_at, NEW.accepted_at, NEW.first_loan, NEW.hours_to_first_answer, NEW.hours_to_result, NEW.answers_due, NEW.answers_on_time, NEW.approved_amount, NEW.approved_credit, NEW.approved_institution_id, NEW.approved_product_kind, NEW.rating, NEW.approved_rate, NEW.disputed_amount)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours
    FROM statistics_contributions WHERE request_id = OLD.id AND sign = -1;
END;

CREATE TRIGGER statistics_deltas_after_update AFTER UPDATE ON financing_requests
WHEN (OLD.submitted_day, OLD.region_code, OLD.industry_code, OLD.amount, OLD.status, OLD.published_at, OLD.dispatched_at, OLD.accepted_at, OLD.first_loan, OLD.hours_to_first_answer, OLD.hours_to_result, OLD.answers_due, OLD.answers_on_time, OLD.approved_amount, OLD.approved_credit, OLD.approved_institution_id, OLD.approved_product_kind, OLD.rating, OLD.approved_rate, OLD.disputed_amount)
     IS NOT (NEW.submitted_day, NEW.region_code, NEW.industry_code, NEW.amount, NEW.status, NEW.published_at, NEW.dispatched_at, NEW.accepted_at, NEW.first_loan, NEW.hours_to_first_answer, NEW.hours_to_result, NEW.answers_due, NEW.answers_on_time, NEW.approved_amount, NEW.approved_credit, NEW.approved_institution_id, NEW.approved_product_kind, NEW.rating, NEW.approved_rate, NEW.disputed_amount)
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours)
    SELECT breakdown, month, region_code, group_key, requested_count, requested_amount, published_count, dispatched_count, accepted_count, approved_count, approved_amount, decided_count, first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time, rated_count, rating_sum, rate_weight, rated_amount, disputed_count, disputed_amount, first_answer_millihours, result_millihours
    FROM statistics_contributions WHERE request_id = NEW.id AND sign = 1;
END;

DROP TABLE statistics_rollup;
CREATE TABLE statistics_rollup (
    breakdown                  TEXT NOT NULL,
    -- '' (the country), a province, city or county code
    region_code                TEXT NOT NULL,
    month                      TEXT NOT NULL,
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
    -- 'value:count,…': each delay in thousandths of an hour rounded to two significant figures, and how many requests had it
    first_answer_delays        TEXT NOT NULL,
    result_delays              TEXT NOT NULL,
    -- A scope reads one region's months: a range of this key.
    PRIMARY KEY (breakdown, region_code, month, group_key)
);

-- The roll-up rebuilt from the rows: the deltas not folded yet are in it.
DELETE FROM statistics_deltas;
WITH levels AS (SELECT 0 AS depth UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6),
     c AS (SELECT c.*, substr(c.region_code, 1, l.depth) AS region
           FROM statistics_contributions AS c JOIN levels AS l ON l.depth <= length(c.region_code)
           WHERE c.sign = 1),
     sums AS (
         SELECT breakdown, region AS region_code, month, group_key,
                SUM(requested_count) AS requested_count, SUM(requested_amount) AS requested_amount, SUM(published_count) AS published_count,
                SUM(dispatched_count) AS dispatched_count, SUM(accepted_count) AS accepted_count, SUM(approved_count) AS approved_count,
                SUM(approved_amount) AS approved_amount, SUM(decided_count) AS decided_count, SUM(first_loan_approved_count) AS first_loan_approved_count,
                SUM(credit_approved_amount) AS credit_approved_amount, SUM(answers_due) AS answers_due, SUM(answers_on_time) AS answers_on_time,
                SUM(rated_count) AS rated_count, SUM(rating_sum) AS rating_sum, SUM(rate_weight) AS rate_weight, SUM(rated_amount) AS rated_amount,
                SUM(disputed_count) AS disputed_count, SUM(disputed_amount) AS disputed_amount
         FROM c GROUP BY 1, 2, 3, 4),
     delays AS (
         SELECT breakdown, region, month, group_key, kind,
                -- DelayHistogram.Round: half up to two significant figures
                (millihours + unit / 2) / unit * unit AS value, COUNT(*) AS times
         FROM (SELECT breakdown, region, month, group_key, kind, millihours,
                      CASE WHEN millihours < 1000 THEN 10 WHEN millihours < 10000 THEN 100 WHEN millihours < 100000 THEN 1000 ELSE 10000 END AS unit
               FROM (SELECT c.breakdown, c.region, c.month, c.group_key, d.kind,
                            CASE d.kind WHEN 'first_answer' THEN c.first_answer_millihours ELSE c.result_millihours END AS millihours
                     FROM c CROSS JOIN (SELECT 'first_answer' AS kind UNION ALL SELECT 'result') AS d)
               WHERE millihours IS NOT NULL)
         GROUP BY 1, 2, 3, 4, 5, 6),
     histograms AS (
         SELECT breakdown, region, month, group_key,
                COALESCE(group_concat(CASE WHEN kind = 'first_answer' THEN value || ':' || times END, ','), '') AS first_answer_delays,
                COALESCE(group_concat(CASE WHEN kind = 'result' THEN value || ':' || times END, ','), '') AS result_delays
         FROM delays GROUP BY 1, 2, 3, 4)
INSERT INTO statistics_rollup
SELECT s.*, COALESCE(h.first_answer_delays, ''), COALESCE(h.result_delays, '')
FROM sums AS s
     LEFT JOIN histograms AS h ON h.breakdown = s.breakdown AND h.region = s.region_code AND h.month = s.month AND h.group_key = s.group_key;
