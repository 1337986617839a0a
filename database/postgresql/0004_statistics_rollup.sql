-- Pre-aggregated regulator statistics (PostgreSQL only; each provider has its own 0004). sqlite/ and sqlserver/ keep
-- reading financing_requests directly (see there), this one reads the rollup below (Features/Statistics/Rollup.cs).
--
-- statistics_rollup holds, per Asia/Shanghai month of submission, region code and group, the sums every figure is
-- derived from, and every delay value itself (in thousandths of an hour), so that medians and percentiles stay exact.
-- Each request counts in three rows, one per breakdown, each breakdown a partition of all requests:
--   'industry'      group_key = the GB/T 4754 division (first 3 characters of the industry code)
--   'institution'   group_key = the approving institution, '' while not approved
--   'product_kind'  group_key = the approved product's kind, '' while not approved
-- The breakdowns by industry, institution and product kind read their own rows; the summary and the breakdowns by
-- region and month read the 'product_kind' rows (the fewest), or the 'industry' rows under an industry filter.
--
-- Statement-level triggers keep the rollup exact on every write to financing_requests (whatever the statement, in the
-- same transaction): each statement's old rows are taken out and its new rows put in. A write that moves no delay
-- leaves the stored arrays as they are.

CREATE TABLE statistics_rollup (
    breakdown                  VARCHAR(12) NOT NULL,
    month                      VARCHAR(7) NOT NULL,
    region_code                VARCHAR(6) NOT NULL,
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
    -- hours_to_first_answer and hours_to_result × 1000 (exact: those columns are NUMERIC(12,3)), in no particular order,
    -- packed 8 bytes a value, big-endian (as int8send writes them): read as they are stored, with no per-value decoding
    first_answer_millihours    BYTEA NOT NULL,
    result_millihours          BYTEA NOT NULL,
    PRIMARY KEY (breakdown, month, region_code, group_key)
);

-- What one request adds to (sign 1) or takes from (sign -1) one of its three rollup rows.
CREATE TYPE statistics_contribution AS (
    breakdown VARCHAR(12), month VARCHAR(7), region_code VARCHAR(6), group_key VARCHAR(36), sign INTEGER,
    requested_amount NUMERIC, published INTEGER, dispatched INTEGER, accepted INTEGER, approved INTEGER, approved_amount NUMERIC,
    decided INTEGER, first_loan_approved INTEGER, credit_approved_amount NUMERIC, answers_due INTEGER, answers_on_time INTEGER,
    rated INTEGER, rating INTEGER, first_answer BIGINT, result BIGINT);

-- The figures' definitions, as Features/Statistics/Figures.cs (FigureSums.SelectSql) sums them over financing_requests.
-- Called in FROM (… CROSS JOIN LATERAL statistics_contributions(r, 1)), where PostgreSQL inlines it.
CREATE FUNCTION statistics_contributions(r financing_requests, sign INTEGER) RETURNS SETOF statistics_contribution
LANGUAGE sql STABLE AS $$
    SELECT b.breakdown::VARCHAR(12), to_char(r.submitted_day, 'YYYY-MM')::VARCHAR(7), r.region_code, b.group_key::VARCHAR(36), sign,
           sign * r.amount,
           sign * CASE WHEN r.published_at IS NOT NULL THEN 1 ELSE 0 END,
           sign * CASE WHEN r.dispatched_at IS NOT NULL THEN 1 ELSE 0 END,
           sign * CASE WHEN r.accepted_at IS NOT NULL THEN 1 ELSE 0 END,
           sign * CASE WHEN r.approved_amount IS NOT NULL THEN 1 ELSE 0 END,
           sign * COALESCE(r.approved_amount, 0),
           sign * CASE WHEN r.status IN ('resolved', 'expired') THEN 1 ELSE 0 END,
           sign * CASE WHEN r.approved_amount IS NOT NULL AND r.first_loan THEN 1 ELSE 0 END,
           sign * CASE WHEN r.approved_credit THEN COALESCE(r.approved_amount, 0) ELSE 0 END,
           sign * r.answers_due, sign * r.answers_on_time,
           sign * CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END, sign * COALESCE(r.rating, 0),
           (r.hours_to_first_answer * 1000)::BIGINT, (r.hours_to_result * 1000)::BIGINT
    FROM (VALUES ('industry', substring(r.industry_code FROM 1 FOR 3)),
                 ('institution', COALESCE(r.approved_institution_id, '')),
                 ('product_kind', COALESCE(r.approved_product_kind, '')))
         AS b (breakdown, group_key)
    WHERE r.submitted_day IS NOT NULL
$$;

-- The multiset a less the multiset b, both packed values: each value of b taken out of a once per occurrence.
CREATE FUNCTION statistics_minus(a BYTEA, b BYTEA) RETURNS BYTEA
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v BYTEA;
    i INTEGER;
    p INTEGER;
    start INTEGER;
BEGIN
    IF length(a) = 0 OR length(b) = 0 THEN
        RETURN a;
    END IF;
    -- A single-row write takes out a value or two.
    IF length(b) <= 32 * 8 THEN
        FOR i IN 0 .. length(b) / 8 - 1 LOOP
            v := substring(b FROM i * 8 + 1 FOR 8);
            start := 1;
            LOOP
                p := position(v IN substring(a FROM start));
                EXIT WHEN p = 0;
                p := start + p - 1;
                IF (p - 1) % 8 = 0 THEN
                    a := substring(a FROM 1 FOR p - 1) || substring(a FROM p + 8);
                    EXIT;
                END IF;
                start := p + 1;   -- the bytes matched across two values: look further
            END LOOP;
        END LOOP;
        RETURN a;
    END IF;
    RETURN (
        WITH kept AS (SELECT substring(a FROM (n - 1) * 8 + 1 FOR 8) AS v FROM generate_series(1, length(a) / 8) AS n),
             taken AS (SELECT substring(b FROM (n - 1) * 8 + 1 FOR 8) AS v, count(*) AS times FROM generate_series(1, length(b) / 8) AS n GROUP BY 1),
             numbered AS (SELECT kept.v, row_number() OVER (PARTITION BY kept.v) AS k FROM kept)
        SELECT COALESCE(string_agg(numbered.v, ''::BYTEA), ''::BYTEA)
        FROM numbered LEFT JOIN taken ON taken.v = numbered.v
        WHERE numbered.k > COALESCE(taken.times, 0));
END
$$;

-- Adds contributions to the rollup: summed per row, then each row upserted in key order (concurrent writers queue on
-- the rows they share instead of deadlocking). Rows whose figures do not move are left alone.
CREATE FUNCTION statistics_rollup_add(contributions statistics_contribution[]) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    c RECORD;
    first_removed BYTEA;
    first_added BYTEA;
    result_removed BYTEA;
    result_added BYTEA;
BEGIN
    FOR c IN
        SELECT d.breakdown, d.month, d.region_code, d.group_key,
               SUM(d.sign) AS requested_count, SUM(d.requested_amount) AS requested_amount,
               SUM(d.published) AS published_count, SUM(d.dispatched) AS dispatched_count, SUM(d.accepted) AS accepted_count,
               SUM(d.approved) AS approved_count, SUM(d.approved_amount) AS approved_amount, SUM(d.decided) AS decided_count,
               SUM(d.first_loan_approved) AS first_loan_approved_count, SUM(d.credit_approved_amount) AS credit_approved_amount,
               SUM(d.answers_due) AS answers_due, SUM(d.answers_on_time) AS answers_on_time,
               SUM(d.rated) AS rated_count, SUM(d.rating) AS rating_sum,
               COALESCE(string_agg(int8send(d.first_answer), ''::BYTEA) FILTER (WHERE d.sign < 0 AND d.first_answer IS NOT NULL), ''::BYTEA) AS first_removed,
               COALESCE(string_agg(int8send(d.first_answer), ''::BYTEA) FILTER (WHERE d.sign > 0 AND d.first_answer IS NOT NULL), ''::BYTEA) AS first_added,
               COALESCE(string_agg(int8send(d.result), ''::BYTEA) FILTER (WHERE d.sign < 0 AND d.result IS NOT NULL), ''::BYTEA) AS result_removed,
               COALESCE(string_agg(int8send(d.result), ''::BYTEA) FILTER (WHERE d.sign > 0 AND d.result IS NOT NULL), ''::BYTEA) AS result_added
        FROM unnest(contributions) AS d
        GROUP BY d.breakdown, d.month, d.region_code, d.group_key
        ORDER BY d.breakdown, d.month, d.region_code, d.group_key
    LOOP
        -- A value both taken out and put back (an update of another column) stays where it is.
        first_removed := statistics_minus(c.first_removed, c.first_added);
        first_added := statistics_minus(c.first_added, c.first_removed);
        result_removed := statistics_minus(c.result_removed, c.result_added);
        result_added := statistics_minus(c.result_added, c.result_removed);
        CONTINUE WHEN c.requested_count = 0 AND c.requested_amount = 0 AND c.published_count = 0 AND c.dispatched_count = 0
            AND c.accepted_count = 0 AND c.approved_count = 0 AND c.approved_amount = 0 AND c.decided_count = 0
            AND c.first_loan_approved_count = 0 AND c.credit_approved_amount = 0 AND c.answers_due = 0 AND c.answers_on_time = 0
            AND c.rated_count = 0 AND c.rating_sum = 0 AND length(first_removed) = 0 AND length(first_added) = 0
            AND length(result_removed) = 0 AND length(result_added) = 0;

        INSERT INTO statistics_rollup AS s (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                            dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                            first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                            rated_count, rating_sum, first_answer_millihours, result_millihours)
        VALUES (c.breakdown, c.month, c.region_code, c.group_key, c.requested_count, c.requested_amount, c.published_count,
                c.dispatched_count, c.accepted_count, c.approved_count, c.approved_amount, c.decided_count,
                c.first_loan_approved_count, c.credit_approved_amount, c.answers_due, c.answers_on_time,
                c.rated_count, c.rating_sum, first_added, result_added)
        ON CONFLICT (breakdown, month, region_code, group_key) DO UPDATE SET
            requested_count = s.requested_count + EXCLUDED.requested_count,
            requested_amount = s.requested_amount + EXCLUDED.requested_amount,
            published_count = s.published_count + EXCLUDED.published_count,
            dispatched_count = s.dispatched_count + EXCLUDED.dispatched_count,
            accepted_count = s.accepted_count + EXCLUDED.accepted_count,
            approved_count = s.approved_count + EXCLUDED.approved_count,
            approved_amount = s.approved_amount + EXCLUDED.approved_amount,
            decided_count = s.decided_count + EXCLUDED.decided_count,
            first_loan_approved_count = s.first_loan_approved_count + EXCLUDED.first_loan_approved_count,
            credit_approved_amount = s.credit_approved_amount + EXCLUDED.credit_approved_amount,
            answers_due = s.answers_due + EXCLUDED.answers_due,
            answers_on_time = s.answers_on_time + EXCLUDED.answers_on_time,
            rated_count = s.rated_count + EXCLUDED.rated_count,
            rating_sum = s.rating_sum + EXCLUDED.rating_sum,
            -- (an untouched array is kept as it is stored, not rewritten)
            first_answer_millihours = CASE WHEN length(first_removed) = 0 AND length(first_added) = 0 THEN s.first_answer_millihours
                                           ELSE statistics_minus(s.first_answer_millihours, first_removed) || first_added END,
            result_millihours = CASE WHEN length(result_removed) = 0 AND length(result_added) = 0 THEN s.result_millihours
                                     ELSE statistics_minus(s.result_millihours, result_removed) || result_added END;
    END LOOP;
END
$$;

CREATE FUNCTION statistics_rollup_on_requests() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM statistics_rollup_add(ARRAY(
            SELECT c FROM new_rows AS n CROSS JOIN LATERAL statistics_contributions(n::financing_requests, 1) AS c));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM statistics_rollup_add(ARRAY(
            SELECT c FROM old_rows AS o CROSS JOIN LATERAL statistics_contributions(o::financing_requests, -1) AS c));
    -- Most updates move no figure (the dispatcher's claim on the row, status_reason, updated_at): nothing to do then.
    ELSIF EXISTS (
        SELECT 1
        FROM old_rows AS o
        FULL JOIN new_rows AS n ON n.id = o.id
        WHERE o.id IS NULL OR n.id IS NULL
           OR (o.submitted_day, o.region_code, o.industry_code, o.amount, o.status, o.published_at, o.dispatched_at, o.accepted_at,
               o.first_loan, o.hours_to_first_answer, o.hours_to_result, o.answers_due, o.answers_on_time, o.approved_amount,
               o.approved_credit, o.approved_institution_id, o.approved_product_kind, o.rating)
              IS DISTINCT FROM
              (n.submitted_day, n.region_code, n.industry_code, n.amount, n.status, n.published_at, n.dispatched_at, n.accepted_at,
               n.first_loan, n.hours_to_first_answer, n.hours_to_result, n.answers_due, n.answers_on_time, n.approved_amount,
               n.approved_credit, n.approved_institution_id, n.approved_product_kind, n.rating)) THEN
        PERFORM statistics_rollup_add(ARRAY(
            SELECT c FROM old_rows AS o CROSS JOIN LATERAL statistics_contributions(o::financing_requests, -1) AS c
            UNION ALL
            SELECT c FROM new_rows AS n CROSS JOIN LATERAL statistics_contributions(n::financing_requests, 1) AS c));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER statistics_rollup_after_insert AFTER INSERT ON financing_requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION statistics_rollup_on_requests();
CREATE TRIGGER statistics_rollup_after_update AFTER UPDATE ON financing_requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION statistics_rollup_on_requests();
CREATE TRIGGER statistics_rollup_after_delete AFTER DELETE ON financing_requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION statistics_rollup_on_requests();

CREATE FUNCTION statistics_rollup_on_truncate() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE statistics_rollup;
    RETURN NULL;
END
$$;
CREATE TRIGGER statistics_rollup_after_truncate AFTER TRUNCATE ON financing_requests
    FOR EACH STATEMENT EXECUTE FUNCTION statistics_rollup_on_truncate();

-- Recomputes the whole rollup from financing_requests, a month at a time: here for the requests stored before this
-- migration, and by hand should it ever be doubted. Writers to financing_requests wait meanwhile.
CREATE FUNCTION statistics_rollup_rebuild() RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    first_day DATE;
BEGIN
    LOCK TABLE financing_requests IN SHARE MODE;
    DELETE FROM statistics_rollup;
    FOR first_day IN
        SELECT DISTINCT date_trunc('month', r.submitted_day)::DATE FROM financing_requests AS r WHERE r.submitted_day IS NOT NULL ORDER BY 1
    LOOP
        PERFORM statistics_rollup_add(ARRAY(
            SELECT c FROM financing_requests AS r CROSS JOIN LATERAL statistics_contributions(r, 1) AS c
            WHERE r.submitted_day >= first_day AND r.submitted_day < (first_day + INTERVAL '1 month')::DATE));
    END LOOP;
END
$$;

SELECT statistics_rollup_rebuild();
