-- Regulator statistics (SQLite). Keep in step with postgresql/ and sqlserver/.
-- Each request row carries its own figures, written in the same transaction as the workflow step they
-- describe, so that the statistics are sums over one table and stay exact on every write.

-- The Asia/Shanghai calendar day and month of submission: periods are counted in the platform's time zone.
ALTER TABLE financing_requests ADD COLUMN submitted_day TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN submitted_month TEXT NULL;
-- 首贷户: the enterprise had no loan when it asked.
ALTER TABLE financing_requests ADD COLUMN first_loan INTEGER NOT NULL DEFAULT 0;
ALTER TABLE financing_requests ADD COLUMN accepted_at TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN hours_to_first_answer NUMERIC NULL;
ALTER TABLE financing_requests ADD COLUMN hours_to_result NUMERIC NULL;
-- Answers owed by institutions (accepted, declined, or overdue without an answer) and those given in time.
ALTER TABLE financing_requests ADD COLUMN answers_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE financing_requests ADD COLUMN answers_on_time INTEGER NOT NULL DEFAULT 0;
-- 撮合融资金额: the approval that resolved the request.
ALTER TABLE financing_requests ADD COLUMN approved_amount NUMERIC NULL;
ALTER TABLE financing_requests ADD COLUMN approved_credit INTEGER NULL;
ALTER TABLE financing_requests ADD COLUMN approved_institution_id TEXT NULL;
ALTER TABLE financing_requests ADD COLUMN approved_product_kind TEXT NULL;
CREATE INDEX ix_financing_requests_day ON financing_requests (submitted_day, region_code);

-- Yearly targets an admin sets per region prefix (e.g. 产融合作平台融资额 150 亿元 / 1,300 笔, seeds/002 annex).
CREATE TABLE region_targets (
    region_code      TEXT NOT NULL,
    year             INTEGER NOT NULL,
    approved_amount  NUMERIC NOT NULL,
    approved_count   INTEGER NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (region_code, year)
);
