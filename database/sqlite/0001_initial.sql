-- Finance Supermarket, initial schema (SQLite). Keep in step with postgresql/ and sqlserver/.
-- Money is NUMERIC (decimal yuan), times are UTC ISO-8601 text, lists are comma-separated snake_case words.
PRAGMA journal_mode = WAL;

CREATE TABLE institutions (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    region_codes    TEXT NOT NULL,
    webhook_url     TEXT NULL,
    webhook_secret  TEXT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE enterprises (
    id                TEXT PRIMARY KEY,
    credit_code       TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    region_code       TEXT NOT NULL,
    industry_code     TEXT NOT NULL,
    size              TEXT NOT NULL,
    employees         INTEGER NULL,
    annual_revenue    NUMERIC NULL,
    established_on    TEXT NOT NULL,
    tags              TEXT NOT NULL,
    tax_credit_level  TEXT NOT NULL,
    has_loan_history  INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX ix_enterprises_region ON enterprises (region_code);

CREATE TABLE products (
    id                     TEXT PRIMARY KEY,
    institution_id         TEXT NOT NULL REFERENCES institutions (id),
    name                   TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    min_amount             NUMERIC NOT NULL,
    max_amount             NUMERIC NOT NULL,
    min_term_months        INTEGER NOT NULL,
    max_term_months        INTEGER NOT NULL,
    min_rate               NUMERIC NOT NULL,
    max_rate               NUMERIC NOT NULL,
    guarantee_modes        TEXT NOT NULL,
    region_codes           TEXT NOT NULL,
    industry_codes         TEXT NOT NULL,
    enterprise_sizes       TEXT NOT NULL,
    required_tags          TEXT NOT NULL,
    min_years_in_business  INTEGER NOT NULL,
    min_tax_credit_level   TEXT NULL,
    first_loan_friendly    INTEGER NOT NULL,
    policy_support         TEXT NOT NULL,
    approval_days          INTEGER NOT NULL,
    description            TEXT NULL,
    status                 TEXT NOT NULL,
    catalog_version        INTEGER NOT NULL DEFAULT 0,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX ix_products_institution ON products (institution_id);
CREATE INDEX ix_products_status_kind ON products (status, kind);
CREATE INDEX ix_products_catalog_version ON products (catalog_version);

-- The regions a product is offered in: its own prefixes, or its institution's when it names none.
CREATE TABLE product_regions (
    product_id     TEXT NOT NULL REFERENCES products (id),
    region_prefix  TEXT NOT NULL,
    PRIMARY KEY (product_id, region_prefix)
);
CREATE INDEX ix_product_regions_prefix ON product_regions (region_prefix);

-- Bumped by every product write, so that each API node can tell when its matching index is stale.
CREATE TABLE catalog_version (
    id       INTEGER PRIMARY KEY,
    version  INTEGER NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TABLE financing_requests (
    id               TEXT PRIMARY KEY,
    enterprise_id    TEXT NOT NULL REFERENCES enterprises (id),
    region_code      TEXT NOT NULL,
    industry_code    TEXT NOT NULL,
    amount           NUMERIC NOT NULL,
    term_months      INTEGER NOT NULL,
    purpose          TEXT NOT NULL,
    guarantee_modes  TEXT NOT NULL,
    max_rate         NUMERIC NULL,
    needed_by        TEXT NULL,
    description      TEXT NULL,
    status           TEXT NOT NULL,
    status_reason    TEXT NULL,
    idempotency_key  TEXT NULL,
    body_hash        TEXT NULL,
    submitted_at     TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_financing_requests_idempotency ON financing_requests (enterprise_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_financing_requests_enterprise ON financing_requests (enterprise_id, submitted_at);
CREATE INDEX ix_financing_requests_region ON financing_requests (region_code, submitted_at);

CREATE TABLE request_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  TEXT NOT NULL REFERENCES financing_requests (id),
    at          TEXT NOT NULL,
    event       TEXT NOT NULL,
    detail      TEXT NULL
);
CREATE INDEX ix_request_events_request ON request_events (request_id, id);

-- Enterprises the platform operator has barred from matching (e.g. 失信被执行人), by credit code.
CREATE TABLE blacklist (
    credit_code  TEXT PRIMARY KEY,
    reason       TEXT NOT NULL,
    added_at     TEXT NOT NULL
);
