-- Regulator statistics at scale (SQL Server only: each provider has its own 0004).
-- PostgreSQL keeps a trigger-maintained rollup table (postgresql/0004_statistics_rollup.sql). SQL Server reads the
-- request rows themselves (Features/Statistics/Figures.cs, FigureSums), through a nonclustered columnstore index over
-- the columns the figures are summed from: the period's rows are scanned compressed and aggregated in batch mode, and
-- the index is kept exact by the engine on every write, like any other index.
CREATE NONCLUSTERED COLUMNSTORE INDEX ix_financing_requests_statistics ON financing_requests (
    submitted_day, region_code, industry_code, submitted_month, amount, status, published_at, dispatched_at, accepted_at,
    first_loan, hours_to_first_answer, hours_to_result, answers_due, answers_on_time, approved_amount, approved_credit,
    approved_institution_id, approved_product_kind, rating);
