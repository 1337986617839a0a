-- Regulator statistics (SQL Server). Keep in step with sqlite/ and postgresql/.
-- Each request row carries its own figures, written in the same transaction as the workflow step they
-- describe, so that the statistics are sums over one table and stay exact on every write.

-- The Asia/Shanghai calendar day and month of submission: periods are counted in the platform's time zone.
ALTER TABLE financing_requests ADD submitted_day DATE NULL;
ALTER TABLE financing_requests ADD submitted_month NVARCHAR(7) NULL;
-- 首贷户: the enterprise had no loan when it asked.
ALTER TABLE financing_requests ADD first_loan BIT NOT NULL DEFAULT 0;
ALTER TABLE financing_requests ADD accepted_at DATETIMEOFFSET NULL;
ALTER TABLE financing_requests ADD hours_to_first_answer DECIMAL(12,3) NULL;
ALTER TABLE financing_requests ADD hours_to_result DECIMAL(12,3) NULL;
-- Answers owed by institutions (accepted, declined, or overdue without an answer) and those given in time.
ALTER TABLE financing_requests ADD answers_due INT NOT NULL DEFAULT 0;
ALTER TABLE financing_requests ADD answers_on_time INT NOT NULL DEFAULT 0;
-- 撮合融资金额: the approval that resolved the request.
ALTER TABLE financing_requests ADD approved_amount DECIMAL(18,2) NULL;
ALTER TABLE financing_requests ADD approved_credit BIT NULL;
ALTER TABLE financing_requests ADD approved_institution_id NVARCHAR(36) NULL;
ALTER TABLE financing_requests ADD approved_product_kind NVARCHAR(30) NULL;
CREATE INDEX ix_financing_requests_day ON financing_requests (submitted_day, region_code);

-- Yearly targets an admin sets per region prefix (e.g. 产融合作平台融资额 150 亿元 / 1,300 笔, seeds/002 annex).
CREATE TABLE region_targets (
    region_code      NVARCHAR(6) NOT NULL,
    year             INT NOT NULL,
    approved_amount  DECIMAL(18,2) NOT NULL,
    approved_count   INT NOT NULL,
    updated_at       DATETIMEOFFSET NOT NULL,
    PRIMARY KEY (region_code, year)
);
