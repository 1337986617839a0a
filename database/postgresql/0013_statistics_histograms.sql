-- The roll-up at ten million requests (issue 13). Until now a read still took the approvals' rate weights and disputes
-- from the request rows, and every delay value from packed arrays that grow with the requests: at 10,000,000 requests a
-- year's summary read millions of values. Now statistics_rollup holds those sums too, and per delay the count of each
-- value rounded to two significant figures (Features/Statistics/DelayHistogram.cs: a few hundred counts per row however
-- many requests); and each request counts at every level of its region code (the country '', province, city, county),
-- so a scope reads the rows of its own region, not those of every county in it. The roll-up is derived: it is dropped and
-- rebuilt from the rows here. Writes still only append deltas (0012); the fold job builds the levels and counts.

DROP TABLE statistics_rollup;
CREATE TABLE statistics_rollup (
    breakdown                  VARCHAR(12) NOT NULL,
    -- '' (the country), a province, city or county code
    region_code                VARCHAR(6) NOT NULL,
    month                      VARCHAR(7) NOT NULL,
    group_key                  VARCHAR(36) NOT NULL,
    requested_count            BIGINT NOT NULL,
    requested_amount           NUMERIC NOT NULL,
    published_count            BIGINT NOT NULL,
    dispatched_count           BIGINT NOT NULL,
    accepted_count             BIGINT NOT NULL,
    approved_count             BIGINT NOT NULL,
    approved_amount            NUMERIC NOT NULL,
    decided_count              BIGINT NOT NULL,
    first_loan_approved_count  BIGINT NOT NULL,
    credit_approved_amount     NUMERIC NOT NULL,
    answers_due                BIGINT NOT NULL,
    answers_on_time            BIGINT NOT NULL,
    rated_count                BIGINT NOT NULL,
    rating_sum                 BIGINT NOT NULL,
    rate_weight                NUMERIC NOT NULL,
    rated_amount               NUMERIC NOT NULL,
    disputed_count             BIGINT NOT NULL,
    disputed_amount            NUMERIC NOT NULL,
    -- 'value:count,…': each delay in thousandths of an hour rounded to two significant figures, and how many requests had it
    first_answer_delays        TEXT NOT NULL,
    result_delays              TEXT NOT NULL,
    -- A scope reads one region's months: a range of this key.
    PRIMARY KEY (breakdown, region_code, month, group_key)
);

ALTER TABLE statistics_deltas ADD COLUMN rate_weight NUMERIC NOT NULL DEFAULT 0, ADD COLUMN rated_amount NUMERIC NOT NULL DEFAULT 0,
    ADD COLUMN disputed_count INTEGER NOT NULL DEFAULT 0, ADD COLUMN disputed_amount NUMERIC NOT NULL DEFAULT 0;

-- 0004's upsert of packed arrays is gone with them.
DROP FUNCTION statistics_rollup_add(statistics_contribution[]);
DROP FUNCTION statistics_minus(BYTEA, BYTEA);
DROP FUNCTION statistics_contributions(financing_requests, INTEGER);
DROP TYPE statistics_contribution;

-- What one request adds to one of its three roll-up rows: statistics_deltas' columns, in their order, from sign on.
CREATE TYPE statistics_contribution AS (
    breakdown VARCHAR(12), month VARCHAR(7), region_code VARCHAR(6), group_key VARCHAR(36), sign INTEGER,
    requested_amount NUMERIC, published INTEGER, dispatched INTEGER, accepted INTEGER, approved INTEGER, approved_amount NUMERIC,
    decided INTEGER, first_loan_approved INTEGER, credit_approved_amount NUMERIC, answers_due INTEGER, answers_on_time INTEGER,
    rated INTEGER, rating INTEGER, first_answer BIGINT, result BIGINT, rate_weight NUMERIC, rated_amount NUMERIC, disputed INTEGER,
    disputed_amount NUMERIC);

-- The figures' definitions, as FigureSums.SelectSql sums them over financing_requests; a delay in thousandths of an hour.
-- Called in FROM (… CROSS JOIN LATERAL statistics_contributions(r)), where PostgreSQL inlines it.
CREATE FUNCTION statistics_contributions(r financing_requests) RETURNS SETOF statistics_contribution
LANGUAGE sql STABLE AS $$
    SELECT b.breakdown::VARCHAR(12), to_char(r.submitted_day, 'YYYY-MM')::VARCHAR(7), r.region_code, b.group_key::VARCHAR(36), 1,
           r.amount,
           CASE WHEN r.published_at IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN r.dispatched_at IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN r.accepted_at IS NOT NULL THEN 1 ELSE 0 END,
           CASE WHEN r.approved_amount IS NOT NULL THEN 1 ELSE 0 END,
           COALESCE(r.approved_amount, 0),
           CASE WHEN r.status IN ('resolved', 'expired') THEN 1 ELSE 0 END,
           CASE WHEN r.approved_amount IS NOT NULL AND r.first_loan THEN 1 ELSE 0 END,
           CASE WHEN r.approved_credit THEN COALESCE(r.approved_amount, 0) ELSE 0 END,
           r.answers_due, r.answers_on_time,
           CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END, COALESCE(r.rating, 0),
           (r.hours_to_first_answer * 1000)::BIGINT, (r.hours_to_result * 1000)::BIGINT,
           COALESCE(r.approved_amount * r.approved_rate, 0),
           CASE WHEN r.approved_rate IS NOT NULL THEN COALESCE(r.approved_amount, 0) ELSE 0 END,
           CASE WHEN r.disputed_amount IS NOT NULL THEN 1 ELSE 0 END, COALESCE(r.disputed_amount, 0)
    FROM (VALUES ('industry', substring(r.industry_code FROM 1 FOR 3)),
                 ('institution', COALESCE(r.approved_institution_id, '')),
                 ('product_kind', COALESCE(r.approved_product_kind, '')))
         AS b (breakdown, group_key)
    WHERE r.submitted_day IS NOT NULL
$$;

-- Appends what a statement changed: the contributions of the new rows not among the old ones, and those of the old rows
-- not among the new ones, their sums negated (a delay stays as it is: taken out when requested_count is -1). Most updates
-- (the dispatcher's claim, status_reason, updated_at) change none and append nothing.
-- PL/pgSQL, not SQL: a PL/pgSQL function keeps its statement's plan for the session (and the pooled connection keeps the
-- session), where a SQL function called from the trigger is planned again on every row change (5-8 ms each, issue 13).
CREATE FUNCTION statistics_append_deltas(new_rows financing_requests[], old_rows financing_requests[]) RETURNS VOID
LANGUAGE plpgsql AS $$
BEGIN
    WITH new_c AS (SELECT c.* FROM unnest(new_rows) AS n CROSS JOIN LATERAL statistics_contributions(n) AS c),
         old_c AS (SELECT c.* FROM unnest(old_rows) AS o CROSS JOIN LATERAL statistics_contributions(o) AS c),
         added AS (SELECT * FROM new_c EXCEPT ALL SELECT * FROM old_c),
         taken AS (SELECT * FROM old_c EXCEPT ALL SELECT * FROM new_c)
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                   dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                   first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                   rated_count, rating_sum, first_answer_millihours, result_millihours,
                                   rate_weight, rated_amount, disputed_count, disputed_amount)
    SELECT * FROM added
    UNION ALL
    SELECT t.breakdown, t.month, t.region_code, t.group_key, -t.sign, -t.requested_amount, -t.published, -t.dispatched,
           -t.accepted, -t.approved, -t.approved_amount, -t.decided, -t.first_loan_approved, -t.credit_approved_amount,
           -t.answers_due, -t.answers_on_time, -t.rated, -t.rating, t.first_answer, t.result,
           -t.rate_weight, -t.rated_amount, -t.disputed, -t.disputed_amount
    FROM taken AS t;
END
$$;

CREATE OR REPLACE FUNCTION statistics_rollup_on_requests() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM statistics_append_deltas(ARRAY(SELECT n::financing_requests FROM new_rows AS n), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM statistics_append_deltas('{}', ARRAY(SELECT o::financing_requests FROM old_rows AS o));
    ELSE
        PERFORM statistics_append_deltas(ARRAY(SELECT n::financing_requests FROM new_rows AS n),
                                         ARRAY(SELECT o::financing_requests FROM old_rows AS o));
    END IF;
    RETURN NULL;
END
$$;

-- DelayHistogram.Round: half up to two significant figures, in thousandths of an hour.
CREATE FUNCTION statistics_delay_rounded(millihours BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
    SELECT (millihours + unit / 2) / unit * unit
    FROM (SELECT CASE WHEN millihours < 1000 THEN 10 WHEN millihours < 10000 THEN 100 WHEN millihours < 100000 THEN 1000 ELSE 10000 END) AS u (unit)
$$;

-- Recomputes the whole roll-up from financing_requests, a month at a time: the county rows' sums and delay counts first,
-- then each level's from them. Here for the requests stored before this migration, by the statistics data generator
-- after a bulk load, and by hand should it ever be doubted. Writers to financing_requests wait meanwhile.
CREATE OR REPLACE FUNCTION statistics_rollup_rebuild() RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    first_day DATE;
BEGIN
    LOCK TABLE financing_requests IN SHARE MODE;
    DELETE FROM statistics_rollup;
    DELETE FROM statistics_deltas;
    FOR first_day IN
        SELECT DISTINCT date_trunc('month', r.submitted_day)::DATE FROM financing_requests AS r WHERE r.submitted_day IS NOT NULL ORDER BY 1
    LOOP
        WITH c AS (
                 SELECT c.* FROM financing_requests AS r CROSS JOIN LATERAL statistics_contributions(r) AS c
                 WHERE r.submitted_day >= first_day AND r.submitted_day < (first_day + INTERVAL '1 month')::DATE),
             levels AS (SELECT * FROM (VALUES (0), (2), (4), (6)) AS l (length)),
             sums AS (
                 SELECT c.breakdown, substring(c.region_code FROM 1 FOR l.length) AS region_code, c.month, c.group_key,
                        SUM(c.sign) AS requested_count, SUM(c.requested_amount) AS requested_amount, SUM(c.published) AS published_count,
                        SUM(c.dispatched) AS dispatched_count, SUM(c.accepted) AS accepted_count, SUM(c.approved) AS approved_count,
                        SUM(c.approved_amount) AS approved_amount, SUM(c.decided) AS decided_count,
                        SUM(c.first_loan_approved) AS first_loan_approved_count, SUM(c.credit_approved_amount) AS credit_approved_amount,
                        SUM(c.answers_due) AS answers_due, SUM(c.answers_on_time) AS answers_on_time, SUM(c.rated) AS rated_count,
                        SUM(c.rating) AS rating_sum, SUM(c.rate_weight) AS rate_weight, SUM(c.rated_amount) AS rated_amount,
                        SUM(c.disputed) AS disputed_count, SUM(c.disputed_amount) AS disputed_amount
                 FROM c JOIN levels AS l ON l.length <= length(c.region_code)
                 GROUP BY 1, 2, 3, 4),
             delays AS (
                 SELECT c.breakdown, substring(c.region_code FROM 1 FOR l.length) AS region_code, c.month, c.group_key, d.kind,
                        statistics_delay_rounded(d.millihours) AS value, COUNT(*) AS times
                 FROM c JOIN levels AS l ON l.length <= length(c.region_code)
                      CROSS JOIN LATERAL (VALUES ('first_answer', c.first_answer), ('result', c.result)) AS d (kind, millihours)
                 WHERE d.millihours IS NOT NULL
                 GROUP BY 1, 2, 3, 4, 5, 6),
             histograms AS (
                 SELECT breakdown, region_code, month, group_key,
                        COALESCE(string_agg(value || ':' || times, ',' ORDER BY value) FILTER (WHERE kind = 'first_answer'), '') AS first_answer_delays,
                        COALESCE(string_agg(value || ':' || times, ',' ORDER BY value) FILTER (WHERE kind = 'result'), '') AS result_delays
                 FROM delays
                 GROUP BY 1, 2, 3, 4)
        INSERT INTO statistics_rollup
        SELECT s.*, COALESCE(h.first_answer_delays, ''), COALESCE(h.result_delays, '')
        FROM sums AS s LEFT JOIN histograms AS h USING (breakdown, region_code, month, group_key);
    END LOOP;
END
$$;

SELECT statistics_rollup_rebuild();
