-- Finance Supermarket, initial schema (PostgreSQL). Keep in step with sqlite/ and sqlserver/.
-- Money is NUMERIC(18,2) yuan, times are timestamptz (UTC), lists are comma-separated snake_case words.

CREATE TABLE institutions (
    id              VARCHAR(36) PRIMARY KEY,
    name            VARCHAR(200) NOT NULL,
    kind            VARCHAR(20) NOT NULL,
    region_codes    VARCHAR(400) NOT NULL,
    webhook_url     VARCHAR(500) NULL,
    webhook_secret  VARCHAR(200) NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE enterprises (
    id                VARCHAR(36) PRIMARY KEY,
    credit_code       VARCHAR(18) NOT NULL UNIQUE,
    name              VARCHAR(200) NOT NULL,
    region_code       VARCHAR(6) NOT NULL,
    industry_code     VARCHAR(5) NOT NULL,
    size              VARCHAR(10) NOT NULL,
    employees         INTEGER NULL,
    annual_revenue    NUMERIC(18,2) NULL,
    established_on    DATE NOT NULL,
    tags              VARCHAR(200) NOT NULL,
    tax_credit_level  VARCHAR(1) NOT NULL,
    has_loan_history  BOOLEAN NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_enterprises_region ON enterprises (region_code);

CREATE TABLE products (
    id                     VARCHAR(36) PRIMARY KEY,
    institution_id         VARCHAR(36) NOT NULL REFERENCES institutions (id),
    name                   VARCHAR(200) NOT NULL,
    kind                   VARCHAR(30) NOT NULL,
    min_amount             NUMERIC(18,2) NOT NULL,
    max_amount             NUMERIC(18,2) NOT NULL,
    min_term_months        INTEGER NOT NULL,
    max_term_months        INTEGER NOT NULL,
    min_rate               NUMERIC(6,3) NOT NULL,
    max_rate               NUMERIC(6,3) NOT NULL,
    guarantee_modes        VARCHAR(100) NOT NULL,
    region_codes           VARCHAR(400) NOT NULL,
    industry_codes         VARCHAR(400) NOT NULL,
    enterprise_sizes       VARCHAR(100) NOT NULL,
    required_tags          VARCHAR(200) NOT NULL,
    min_years_in_business  INTEGER NOT NULL,
    min_tax_credit_level   VARCHAR(1) NULL,
    first_loan_friendly    BOOLEAN NOT NULL,
    policy_support         VARCHAR(100) NOT NULL,
    approval_days          INTEGER NOT NULL,
    description            VARCHAR(2000) NULL,
    status                 VARCHAR(10) NOT NULL,
    catalog_version        BIGINT NOT NULL DEFAULT 0,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_products_institution ON products (institution_id);
CREATE INDEX ix_products_status_kind ON products (status, kind);
CREATE INDEX ix_products_catalog_version ON products (catalog_version);

-- The regions a product is offered in: its own prefixes, or its institution's when it names none.
CREATE TABLE product_regions (
    product_id     VARCHAR(36) NOT NULL REFERENCES products (id),
    region_prefix  VARCHAR(6) NOT NULL,
    PRIMARY KEY (product_id, region_prefix)
);
CREATE INDEX ix_product_regions_prefix ON product_regions (region_prefix);

-- Bumped by every product write, so that each API node can tell when its matching index is stale.
CREATE TABLE catalog_version (
    id       INTEGER PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TABLE financing_requests (
    id               VARCHAR(36) PRIMARY KEY,
    enterprise_id    VARCHAR(36) NOT NULL REFERENCES enterprises (id),
    region_code      VARCHAR(6) NOT NULL,
    industry_code    VARCHAR(5) NOT NULL,
    amount           NUMERIC(18,2) NOT NULL,
    term_months      INTEGER NOT NULL,
    purpose          VARCHAR(20) NOT NULL,
    guarantee_modes  VARCHAR(100) NOT NULL,
    max_rate         NUMERIC(6,3) NULL,
    needed_by        DATE NULL,
    description      VARCHAR(2000) NULL,
    status           VARCHAR(12) NOT NULL,
    status_reason    VARCHAR(500) NULL,
    idempotency_key  VARCHAR(100) NULL,
    body_hash        VARCHAR(64) NULL,
    submitted_at     TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ux_financing_requests_idempotency ON financing_requests (enterprise_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_financing_requests_enterprise ON financing_requests (enterprise_id, submitted_at);
CREATE INDEX ix_financing_requests_region ON financing_requests (region_code, submitted_at);

CREATE TABLE request_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  VARCHAR(36) NOT NULL REFERENCES financing_requests (id),
    at          TIMESTAMPTZ NOT NULL,
    event       VARCHAR(40) NOT NULL,
    detail      VARCHAR(1000) NULL
);
CREATE INDEX ix_request_events_request ON request_events (request_id, id);

-- Enterprises the platform operator has barred from matching (e.g. 失信被执行人), by credit code.
CREATE TABLE blacklist (
    credit_code  VARCHAR(18) PRIMARY KEY,
    reason       VARCHAR(500) NOT NULL,
    added_at     TIMESTAMPTZ NOT NULL
);
