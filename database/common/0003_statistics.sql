-- Regulator statistics, for every provider (tokens: see 0001_initial.sql).
-- Each request row carries its own figures, written in the same transaction as the workflow step they
-- describe, so that the statistics are sums over one table and stay exact on every write.

-- The Asia/Shanghai calendar day and month of submission: periods are counted in the platform's time zone.
ALTER TABLE financing_requests $add_column$ submitted_day $date$ NULL;
ALTER TABLE financing_requests $add_column$ submitted_month $varchar_7$ NULL;
-- 首贷户: the enterprise had no loan when it asked.
ALTER TABLE financing_requests $add_column$ first_loan $bool$ NOT NULL DEFAULT $false$;
ALTER TABLE financing_requests $add_column$ accepted_at $timestamp$ NULL;
ALTER TABLE financing_requests $add_column$ hours_to_first_answer $decimal_12_3$ NULL;
ALTER TABLE financing_requests $add_column$ hours_to_result $decimal_12_3$ NULL;
-- Answers owed by institutions (accepted, declined, or overdue without an answer) and those given in time.
ALTER TABLE financing_requests $add_column$ answers_due $int$ NOT NULL DEFAULT 0;
ALTER TABLE financing_requests $add_column$ answers_on_time $int$ NOT NULL DEFAULT 0;
-- 撮合融资金额: the approval that resolved the request.
ALTER TABLE financing_requests $add_column$ approved_amount $decimal_18_2$ NULL;
ALTER TABLE financing_requests $add_column$ approved_credit $bool$ NULL;
ALTER TABLE financing_requests $add_column$ approved_institution_id $varchar_36$ NULL;
ALTER TABLE financing_requests $add_column$ approved_product_kind $varchar_30$ NULL;
CREATE INDEX ix_financing_requests_day ON financing_requests (submitted_day, region_code);

-- Yearly targets an admin sets per region prefix (e.g. 产融合作平台融资额 150 亿元 / 1,300 笔, seeds/002 annex).
CREATE TABLE region_targets (
    region_code      $varchar_6$ NOT NULL,
    year             $int$ NOT NULL,
    approved_amount  $decimal_18_2$ NOT NULL,
    approved_count   $int$ NOT NULL,
    updated_at       $timestamp$ NOT NULL,
    PRIMARY KEY (region_code, year)
);
