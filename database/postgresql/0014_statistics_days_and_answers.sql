-- The roll-up for any period (issue 13). Until now a period cutting through a month read the days of that month from
-- the request rows (a year from mid-July read four weeks of rows: 336 ms at a million requests on SQLite), and the
-- institution breakdown read every dispatch of the period's requests for each institution's own answers (贷款申请限时答复
-- 制: seconds at ten million requests). Now:
--   statistics_rollup_days   the same sums and delay counts per Asia/Shanghai day of submission, beside the month rows:
--                            a period is its whole months from statistics_rollup and its other days from here;
--   breakdown 'answers'      rows keyed by the institution a request was dispatched to, holding its own answers (those
--                            given, and the deadlines passed unanswered) and answers given in time; kept by row triggers
--                            on dispatches that fire only when those change.
-- Each delta carries its day; the fold job folds it into both tables. The roll-up is derived: it is rebuilt here, now in
-- a few set-based statements over all requests instead of a loop over months (ten million requests: minutes).

ALTER TABLE statistics_deltas ADD COLUMN day VARCHAR(10) NOT NULL DEFAULT '';

CREATE TABLE statistics_rollup_days (
    breakdown                  VARCHAR(12) NOT NULL,
    -- '' (the country), a province, city or county code
    region_code                VARCHAR(6) NOT NULL,
    -- YYYY-MM-DD, the Asia/Shanghai day of submission
    day                        VARCHAR(10) NOT NULL,
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
    first_answer_delays        TEXT NOT NULL,
    result_delays              TEXT NOT NULL,
    -- A period's days of one breakdown are a range of this key (the region code, often a pattern, is filtered in it).
    PRIMARY KEY (breakdown, day, region_code, group_key)
);

DROP FUNCTION statistics_append_deltas(financing_requests[], financing_requests[]);
DROP FUNCTION statistics_contributions(financing_requests);
DROP TYPE statistics_contribution;

-- What one request adds to one of its roll-up rows: statistics_deltas' columns, in their order, from sign on.
CREATE TYPE statistics_contribution AS (
    breakdown VARCHAR(12), month VARCHAR(7), region_code VARCHAR(6), group_key VARCHAR(36), sign INTEGER,
    requested_amount NUMERIC, published INTEGER, dispatched INTEGER, accepted INTEGER, approved INTEGER, approved_amount NUMERIC,
    decided INTEGER, first_loan_approved INTEGER, credit_approved_amount NUMERIC, answers_due INTEGER, answers_on_time INTEGER,
    rated INTEGER, rating INTEGER, first_answer BIGINT, result BIGINT, rate_weight NUMERIC, rated_amount NUMERIC, disputed INTEGER,
    disputed_amount NUMERIC, day VARCHAR(10));

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
           CASE WHEN r.disputed_amount IS NOT NULL THEN 1 ELSE 0 END, COALESCE(r.disputed_amount, 0),
           to_char(r.submitted_day, 'YYYY-MM-DD')::VARCHAR(10)
    FROM (VALUES ('industry', substring(r.industry_code FROM 1 FOR 3)),
                 ('institution', COALESCE(r.approved_institution_id, '')),
                 ('product_kind', COALESCE(r.approved_product_kind, '')))
         AS b (breakdown, group_key)
    WHERE r.submitted_day IS NOT NULL
$$;

-- What a dispatch adds to the 'answers' row of its institution, in its request's cohort: as FigureSums.InstitutionAnswersSql
-- counts it (an answer given or a deadline passed unanswered; an answer in time). Nothing for a dispatch not answered yet.
CREATE FUNCTION statistics_answer_contributions(d dispatches, r financing_requests) RETURNS SETOF statistics_contribution
LANGUAGE sql STABLE AS $$
    SELECT 'answers'::VARCHAR(12), to_char(r.submitted_day, 'YYYY-MM')::VARCHAR(7), r.region_code, d.institution_id::VARCHAR(36), 0,
           0::NUMERIC, 0, 0, 0, 0, 0::NUMERIC, 0, 0, 0::NUMERIC,
           CASE WHEN d.answered_at IS NOT NULL OR d.status = 'overdue' THEN 1 ELSE 0 END,
           CASE WHEN d.answered_on_time THEN 1 ELSE 0 END,
           0, 0, NULL::BIGINT, NULL::BIGINT, 0::NUMERIC, 0::NUMERIC, 0, 0::NUMERIC, to_char(r.submitted_day, 'YYYY-MM-DD')::VARCHAR(10)
    WHERE r.submitted_day IS NOT NULL AND (d.answered_at IS NOT NULL OR d.status = 'overdue' OR d.answered_on_time)
$$;

-- As in 0013, with the day. PL/pgSQL keeps its statement's plan for the session.
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
                                   rate_weight, rated_amount, disputed_count, disputed_amount, day)
    SELECT * FROM added
    UNION ALL
    SELECT t.breakdown, t.month, t.region_code, t.group_key, -t.sign, -t.requested_amount, -t.published, -t.dispatched,
           -t.accepted, -t.approved, -t.approved_amount, -t.decided, -t.first_loan_approved, -t.credit_approved_amount,
           -t.answers_due, -t.answers_on_time, -t.rated, -t.rating, t.first_answer, t.result,
           -t.rate_weight, -t.rated_amount, -t.disputed, -t.disputed_amount, t.day
    FROM taken AS t;
END
$$;

-- A dispatch's answer appended as a delta: the old row's contribution taken out, the new one's added.
CREATE FUNCTION statistics_answers_on_dispatches() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                   dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                   first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                   rated_count, rating_sum, first_answer_millihours, result_millihours,
                                   rate_weight, rated_amount, disputed_count, disputed_amount, day)
    SELECT c.breakdown, c.month, c.region_code, c.group_key, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           w.sign * c.answers_due, w.sign * c.answers_on_time, 0, 0, NULL, NULL, 0, 0, 0, 0, c.day
    FROM (SELECT OLD AS d, -1 AS sign WHERE TG_OP <> 'INSERT'
          UNION ALL
          SELECT NEW, 1 WHERE TG_OP <> 'DELETE') AS w
         JOIN financing_requests AS r ON r.id = (w.d).request_id
         CROSS JOIN LATERAL statistics_answer_contributions(w.d, r) AS c;
    RETURN NULL;
END
$$;

-- Only a change of what the answers count fires them: most writes of a dispatch (its claim, feedback, closing) do not.
CREATE TRIGGER statistics_answers_after_insert AFTER INSERT ON dispatches FOR EACH ROW
    WHEN (NEW.answered_at IS NOT NULL OR NEW.status = 'overdue' OR NEW.answered_on_time)
    EXECUTE FUNCTION statistics_answers_on_dispatches();
CREATE TRIGGER statistics_answers_after_update AFTER UPDATE ON dispatches FOR EACH ROW
    WHEN ((OLD.answered_at IS NOT NULL OR OLD.status = 'overdue', COALESCE(OLD.answered_on_time, FALSE), OLD.institution_id, OLD.request_id)
          IS DISTINCT FROM (NEW.answered_at IS NOT NULL OR NEW.status = 'overdue', COALESCE(NEW.answered_on_time, FALSE), NEW.institution_id, NEW.request_id))
    EXECUTE FUNCTION statistics_answers_on_dispatches();
CREATE TRIGGER statistics_answers_after_delete AFTER DELETE ON dispatches FOR EACH ROW
    WHEN (OLD.answered_at IS NOT NULL OR OLD.status = 'overdue' OR OLD.answered_on_time)
    EXECUTE FUNCTION statistics_answers_on_dispatches();

CREATE OR REPLACE FUNCTION statistics_rollup_on_truncate() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE statistics_rollup, statistics_rollup_days, statistics_deltas;
    RETURN NULL;
END
$$;

-- DelayHistogram.Round as one expression, which PostgreSQL inlines into a query (0013's, with a FROM clause, was called
-- row by row: most of a rebuild's time).
CREATE OR REPLACE FUNCTION statistics_delay_rounded(millihours BIGINT) RETURNS BIGINT
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN millihours < 1000 THEN (millihours + 5) / 10 * 10
                WHEN millihours < 10000 THEN (millihours + 50) / 100 * 100
                WHEN millihours < 100000 THEN (millihours + 500) / 1000 * 1000
                ELSE (millihours + 5000) / 10000 * 10000 END
$$;

-- Recomputes both roll-up tables from financing_requests and dispatches, a month of submissions at a time: every
-- contribution summed per county, day and group once (one pass over the month's requests for the sums, one for the
-- delays, one over their dispatches), then each level of the region code and the month from those sums (delay counts in
-- any order: DelayHistogram reads them so). A month's groups fit in memory, where the groups of ten million requests at
-- once spilled gigabytes to disk and had not finished in half an hour. Here for the requests stored before this
-- migration, by the statistics data generator after a bulk load, and by hand should it ever be doubted. Writers wait.
CREATE OR REPLACE FUNCTION statistics_rollup_rebuild() RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    last_day DATE;
    month_start DATE;
    month_end DATE;
BEGIN
    LOCK TABLE financing_requests, dispatches IN SHARE MODE;
    -- A month's contributions are grouped in memory rather than in batches spilled to disk.
    SET LOCAL work_mem = '1GB';
    DELETE FROM statistics_rollup;
    DELETE FROM statistics_rollup_days;
    DELETE FROM statistics_deltas;
    SELECT date_trunc('month', MIN(submitted_day))::DATE, MAX(submitted_day) INTO month_start, last_day FROM financing_requests;
    DROP TABLE IF EXISTS statistics_rebuilt_sums, statistics_rebuilt_delays;
    WHILE month_start <= last_day LOOP
        month_end := (month_start + INTERVAL '1 month')::DATE;

        CREATE TEMPORARY TABLE statistics_rebuilt_sums AS
        SELECT c.breakdown, c.region_code, c.day, c.group_key,
               SUM(c.sign) AS requested_count, SUM(c.requested_amount) AS requested_amount, SUM(c.published) AS published_count,
               SUM(c.dispatched) AS dispatched_count, SUM(c.accepted) AS accepted_count, SUM(c.approved) AS approved_count,
               SUM(c.approved_amount) AS approved_amount, SUM(c.decided) AS decided_count,
               SUM(c.first_loan_approved) AS first_loan_approved_count, SUM(c.credit_approved_amount) AS credit_approved_amount,
               SUM(c.answers_due) AS answers_due, SUM(c.answers_on_time) AS answers_on_time, SUM(c.rated) AS rated_count,
               SUM(c.rating) AS rating_sum, SUM(c.rate_weight) AS rate_weight, SUM(c.rated_amount) AS rated_amount,
               SUM(c.disputed) AS disputed_count, SUM(c.disputed_amount) AS disputed_amount
        FROM (SELECT c.* FROM financing_requests AS r CROSS JOIN LATERAL statistics_contributions(r) AS c
              WHERE r.submitted_day >= month_start AND r.submitted_day < month_end
              UNION ALL
              SELECT c.* FROM dispatches AS d JOIN financing_requests AS r ON r.id = d.request_id
                              CROSS JOIN LATERAL statistics_answer_contributions(d, r) AS c
              WHERE r.submitted_day >= month_start AND r.submitted_day < month_end) AS c
        GROUP BY 1, 2, 3, 4;

        -- The delays rounded as DelayHistogram.Round, counted per value, at every level of the region code.
        CREATE TEMPORARY TABLE statistics_rebuilt_delays AS
        SELECT d.breakdown, substring(d.region_code FROM 1 FOR l.length) AS region_code, d.day, d.group_key, d.kind, d.value, SUM(d.times) AS times
        FROM (SELECT c.breakdown, c.region_code, c.day, c.group_key, m.kind, statistics_delay_rounded(m.millihours) AS value, COUNT(*) AS times
              FROM financing_requests AS r CROSS JOIN LATERAL statistics_contributions(r) AS c
                   CROSS JOIN LATERAL (VALUES ('first_answer', c.first_answer), ('result', c.result)) AS m (kind, millihours)
              WHERE r.submitted_day >= month_start AND r.submitted_day < month_end AND m.millihours IS NOT NULL
              GROUP BY 1, 2, 3, 4, 5, 6) AS d
             JOIN (VALUES (0), (2), (4), (6)) AS l (length) ON l.length <= length(d.region_code)
        GROUP BY 1, 2, 3, 4, 5, 6;

        INSERT INTO statistics_rollup_days
        SELECT s.*, COALESCE(h.first_answer_delays, ''), COALESCE(h.result_delays, '')
        FROM (SELECT s.breakdown, substring(s.region_code FROM 1 FOR l.length) AS region_code, s.day, s.group_key,
                     SUM(s.requested_count), SUM(s.requested_amount), SUM(s.published_count), SUM(s.dispatched_count), SUM(s.accepted_count),
                     SUM(s.approved_count), SUM(s.approved_amount), SUM(s.decided_count), SUM(s.first_loan_approved_count),
                     SUM(s.credit_approved_amount), SUM(s.answers_due), SUM(s.answers_on_time), SUM(s.rated_count), SUM(s.rating_sum),
                     SUM(s.rate_weight), SUM(s.rated_amount), SUM(s.disputed_count), SUM(s.disputed_amount)
              FROM statistics_rebuilt_sums AS s JOIN (VALUES (0), (2), (4), (6)) AS l (length) ON l.length <= length(s.region_code)
              GROUP BY 1, 2, 3, 4) AS s
             LEFT JOIN (SELECT breakdown, region_code, day, group_key,
                               string_agg(value || ':' || times, ',') FILTER (WHERE kind = 'first_answer') AS first_answer_delays,
                               string_agg(value || ':' || times, ',') FILTER (WHERE kind = 'result') AS result_delays
                        FROM statistics_rebuilt_delays GROUP BY 1, 2, 3, 4) AS h USING (breakdown, region_code, day, group_key);

        INSERT INTO statistics_rollup
        SELECT s.*, COALESCE(h.first_answer_delays, ''), COALESCE(h.result_delays, '')
        FROM (SELECT breakdown, region_code, substring(day FROM 1 FOR 7) AS month, group_key,
                     SUM(requested_count), SUM(requested_amount), SUM(published_count), SUM(dispatched_count), SUM(accepted_count),
                     SUM(approved_count), SUM(approved_amount), SUM(decided_count), SUM(first_loan_approved_count),
                     SUM(credit_approved_amount), SUM(answers_due), SUM(answers_on_time), SUM(rated_count), SUM(rating_sum),
                     SUM(rate_weight), SUM(rated_amount), SUM(disputed_count), SUM(disputed_amount)
              FROM statistics_rollup_days WHERE day >= to_char(month_start, 'YYYY-MM-DD') AND day < to_char(month_end, 'YYYY-MM-DD')
              GROUP BY 1, 2, 3, 4) AS s
             LEFT JOIN (SELECT breakdown, region_code, month, group_key,
                               string_agg(value || ':' || times, ',') FILTER (WHERE kind = 'first_answer') AS first_answer_delays,
                               string_agg(value || ':' || times, ',') FILTER (WHERE kind = 'result') AS result_delays
                        FROM (SELECT breakdown, region_code, substring(day FROM 1 FOR 7) AS month, group_key, kind, value, SUM(times) AS times
                              FROM statistics_rebuilt_delays GROUP BY 1, 2, 3, 4, 5, 6) AS d
                        GROUP BY 1, 2, 3, 4) AS h USING (breakdown, region_code, month, group_key);

        DROP TABLE statistics_rebuilt_sums, statistics_rebuilt_delays;
        month_start := month_end;
    END LOOP;
END
$$;

SELECT statistics_rollup_rebuild();
ALTER TABLE statistics_deltas ALTER COLUMN day DROP DEFAULT;
