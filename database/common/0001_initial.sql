-- Finance Supermarket, initial schema. One script for SQLite, PostgreSQL and SQL Server: each dollar-quoted token is
-- the provider's spelling of a type or clause (SqlDialect.MigrationVariables), e.g. varchar_36 is VARCHAR(36) on
-- PostgreSQL, NVARCHAR(36) on SQL Server and TEXT on SQLite.
-- Money is DECIMAL(18,2) yuan, times are UTC (timestamptz, datetimeoffset, ISO-8601 text on SQLite), lists are
-- comma-separated snake_case words.

CREATE TABLE institutions (
    id              $varchar_36$ PRIMARY KEY,
    name            $varchar_200$ NOT NULL,
    kind            $varchar_20$ NOT NULL,
    region_codes    $varchar_400$ NOT NULL,
    webhook_url     $varchar_500$ NULL,
    webhook_secret  $varchar_200$ NULL,
    created_at      $timestamp$ NOT NULL
);

CREATE TABLE enterprises (
    id                $varchar_36$ PRIMARY KEY,
    credit_code       $varchar_18$ NOT NULL UNIQUE,
    name              $varchar_200$ NOT NULL,
    region_code       $varchar_6$ NOT NULL,
    industry_code     $varchar_5$ NOT NULL,
    size              $varchar_10$ NOT NULL,
    employees         $int$ NULL,
    annual_revenue    $decimal_18_2$ NULL,
    established_on    $date$ NOT NULL,
    tags              $varchar_200$ NOT NULL,
    tax_credit_level  $varchar_1$ NOT NULL,
    has_loan_history  $bool$ NOT NULL,
    created_at        $timestamp$ NOT NULL,
    updated_at        $timestamp$ NOT NULL
);
CREATE INDEX ix_enterprises_region ON enterprises (region_code);

CREATE TABLE products (
    id                     $varchar_36$ PRIMARY KEY,
    institution_id         $varchar_36$ NOT NULL REFERENCES institutions (id),
    name                   $varchar_200$ NOT NULL,
    kind                   $varchar_30$ NOT NULL,
    min_amount             $decimal_18_2$ NOT NULL,
    max_amount             $decimal_18_2$ NOT NULL,
    min_term_months        $int$ NOT NULL,
    max_term_months        $int$ NOT NULL,
    min_rate               $decimal_6_3$ NOT NULL,
    max_rate               $decimal_6_3$ NOT NULL,
    guarantee_modes        $varchar_100$ NOT NULL,
    region_codes           $varchar_400$ NOT NULL,
    industry_codes         $varchar_400$ NOT NULL,
    enterprise_sizes       $varchar_100$ NOT NULL,
    required_tags          $varchar_200$ NOT NULL,
    min_years_in_business  $int$ NOT NULL,
    min_tax_credit_level   $varchar_1$ NULL,
    first_loan_friendly    $bool$ NOT NULL,
    policy_support         $varchar_100$ NOT NULL,
    approval_days          $int$ NOT NULL,
    description            $varchar_2000$ NULL,
    status                 $varchar_10$ NOT NULL,
    catalog_version        $bigint$ NOT NULL DEFAULT 0,
    created_at             $timestamp$ NOT NULL,
    updated_at             $timestamp$ NOT NULL
);
CREATE INDEX ix_products_institution ON products (institution_id);
CREATE INDEX ix_products_status_kind ON products (status, kind);
CREATE INDEX ix_products_catalog_version ON products (catalog_version);

-- The regions a product is offered in: its own prefixes, or its institution's when it names none.
CREATE TABLE product_regions (
    product_id     $varchar_36$ NOT NULL REFERENCES products (id),
    region_prefix  $varchar_6$ NOT NULL,
    PRIMARY KEY (product_id, region_prefix)
);
CREATE INDEX ix_product_regions_prefix ON product_regions (region_prefix);

-- Bumped by every product write, so that each API node can tell when its matching index is stale.
CREATE TABLE catalog_version (
    id       $int$ PRIMARY KEY,
    version  $bigint$ NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TABLE financing_requests (
    id               $varchar_36$ PRIMARY KEY,
    enterprise_id    $varchar_36$ NOT NULL REFERENCES enterprises (id),
    region_code      $varchar_6$ NOT NULL,
    industry_code    $varchar_5$ NOT NULL,
    amount           $decimal_18_2$ NOT NULL,
    term_months      $int$ NOT NULL,
    purpose          $varchar_20$ NOT NULL,
    guarantee_modes  $varchar_100$ NOT NULL,
    max_rate         $decimal_6_3$ NULL,
    needed_by        $date$ NULL,
    description      $varchar_2000$ NULL,
    status           $varchar_12$ NOT NULL,
    status_reason    $varchar_500$ NULL,
    idempotency_key  $varchar_100$ NULL,
    body_hash        $varchar_64$ NULL,
    submitted_at     $timestamp$ NOT NULL,
    updated_at       $timestamp$ NOT NULL
);
CREATE UNIQUE INDEX ux_financing_requests_idempotency ON financing_requests (enterprise_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_financing_requests_enterprise ON financing_requests (enterprise_id, submitted_at);
CREATE INDEX ix_financing_requests_region ON financing_requests (region_code, submitted_at);

CREATE TABLE request_events (
    id          $identity_key$,
    request_id  $varchar_36$ NOT NULL REFERENCES financing_requests (id),
    at          $timestamp$ NOT NULL,
    event       $varchar_40$ NOT NULL,
    detail      $varchar_1000$ NULL
);
CREATE INDEX ix_request_events_request ON request_events (request_id, id);

-- Enterprises the platform operator has barred from matching (e.g. 失信被执行人), by credit code.
CREATE TABLE blacklist (
    credit_code  $varchar_18$ PRIMARY KEY,
    reason       $varchar_500$ NOT NULL,
    added_at     $timestamp$ NOT NULL
);
