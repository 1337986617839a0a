-- Regulator statistics at scale (SQLite only: each provider has its own 0004).
-- PostgreSQL keeps a trigger-maintained rollup table (postgresql/0004_statistics_rollup.sql). SQLite, the embedded
-- single-node store, reads the request rows themselves (Features/Statistics/Figures.cs, FigureSums): this index holds
-- every column the figures and their groups are read from, so that a period is one range scan of the index, without a
-- lookup of each row in the table (its two queries ran 3.5 times faster over 1,000,000 requests, for a tenth more file).
CREATE INDEX ix_financing_requests_statistics ON financing_requests (
    submitted_day, region_code, industry_code, submitted_month, amount, status, published_at, dispatched_at, accepted_at,
    first_loan, hours_to_first_answer, hours_to_result, answers_due, answers_on_time, approved_amount, approved_credit,
    approved_institution_id, approved_product_kind, rating);
