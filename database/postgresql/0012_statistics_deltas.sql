-- The roll-up without a hot row (issue 13). Until now the triggers of 0004 upserted statistics_rollup in the writer's
-- own transaction: every write of a region-month locked the same rows until it committed, and the answer's UPDATE
-- rewrote packed delay arrays of many kilobytes. Now a write only appends what it changes to statistics_deltas (one
-- INSERT, no row another writer touches), and the fold job (Features/Statistics/FoldStatistics.cs) moves the deltas
-- into statistics_rollup in batches. A read sums the roll-up and the deltas not yet folded in one snapshot, so it is
-- never stale and never wrong.

-- What a write added to (requested_count 1) or took from (requested_count -1) one roll-up row: the columns of
-- statistics_contribution, named as statistics_rollup's, a delay as its one value (taken out when requested_count is -1).
CREATE TABLE statistics_deltas (
    id                         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    breakdown                  VARCHAR(12) NOT NULL,
    month                      VARCHAR(7) NOT NULL,
    region_code                VARCHAR(6) NOT NULL,
    group_key                  VARCHAR(36) NOT NULL,
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
    first_answer_millihours    BIGINT NULL,
    result_millihours          BIGINT NULL
);

-- The fold takes this row's lock first: folds on several nodes run one after the other.
CREATE TABLE statistics_fold (
    id         INTEGER NOT NULL PRIMARY KEY,
    folded_at  TIMESTAMPTZ NULL
);
INSERT INTO statistics_fold (id, folded_at) VALUES (1, NULL);

-- An update appends only the contributions it changes: those of the new rows not among the old ones (added), and
-- those of the old rows not among the new ones (taken out, with their sums negated). Most updates (the dispatcher's
-- claim, status_reason, updated_at) change none and append nothing.
CREATE OR REPLACE FUNCTION statistics_rollup_on_requests() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                       dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                       first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                       rated_count, rating_sum, first_answer_millihours, result_millihours)
        SELECT c.* FROM new_rows AS n CROSS JOIN LATERAL statistics_contributions(n::financing_requests, 1) AS c;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                       dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                       first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                       rated_count, rating_sum, first_answer_millihours, result_millihours)
        SELECT c.* FROM old_rows AS o CROSS JOIN LATERAL statistics_contributions(o::financing_requests, -1) AS c;
    ELSE
        WITH old_c AS (SELECT c.* FROM old_rows AS o CROSS JOIN LATERAL statistics_contributions(o::financing_requests, 1) AS c),
             new_c AS (SELECT c.* FROM new_rows AS n CROSS JOIN LATERAL statistics_contributions(n::financing_requests, 1) AS c),
             added AS (SELECT * FROM new_c EXCEPT ALL SELECT * FROM old_c),
             taken AS (SELECT * FROM old_c EXCEPT ALL SELECT * FROM new_c)
        INSERT INTO statistics_deltas (breakdown, month, region_code, group_key, requested_count, requested_amount, published_count,
                                       dispatched_count, accepted_count, approved_count, approved_amount, decided_count,
                                       first_loan_approved_count, credit_approved_amount, answers_due, answers_on_time,
                                       rated_count, rating_sum, first_answer_millihours, result_millihours)
        SELECT * FROM added
        UNION ALL
        SELECT t.breakdown, t.month, t.region_code, t.group_key, -t.sign, -t.requested_amount, -t.published, -t.dispatched,
               -t.accepted, -t.approved, -t.approved_amount, -t.decided, -t.first_loan_approved, -t.credit_approved_amount,
               -t.answers_due, -t.answers_on_time, -t.rated, -t.rating, t.first_answer, t.result
        FROM taken AS t;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION statistics_rollup_on_truncate() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE statistics_rollup, statistics_deltas;
    RETURN NULL;
END
$$;

-- The rebuild starts from an empty roll-up and no deltas.
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
        PERFORM statistics_rollup_add(ARRAY(
            SELECT c FROM financing_requests AS r CROSS JOIN LATERAL statistics_contributions(r, 1) AS c
            WHERE r.submitted_day >= first_day AND r.submitted_day < (first_day + INTERVAL '1 month')::DATE));
    END LOOP;
END
$$;
