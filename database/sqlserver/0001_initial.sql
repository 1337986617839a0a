-- Finance Supermarket, initial schema (SQL Server). Keep in step with sqlite/ and postgresql/.
-- Money is DECIMAL(18,2) yuan, times are datetimeoffset (UTC), lists are comma-separated snake_case words.

CREATE TABLE institutions (
    id              NVARCHAR(36) PRIMARY KEY,
    name            NVARCHAR(200) NOT NULL,
    kind            NVARCHAR(20) NOT NULL,
    region_codes    NVARCHAR(400) NOT NULL,
    webhook_url     NVARCHAR(500) NULL,
    webhook_secret  NVARCHAR(200) NULL,
    created_at      DATETIMEOFFSET NOT NULL
);

CREATE TABLE enterprises (
    id                NVARCHAR(36) PRIMARY KEY,
    credit_code       NVARCHAR(18) NOT NULL UNIQUE,
    name              NVARCHAR(200) NOT NULL,
    region_code       NVARCHAR(6) NOT NULL,
    industry_code     NVARCHAR(5) NOT NULL,
    size              NVARCHAR(10) NOT NULL,
    employees         INT NULL,
    annual_revenue    DECIMAL(18,2) NULL,
    established_on    DATE NOT NULL,
    tags              NVARCHAR(200) NOT NULL,
    tax_credit_level  NVARCHAR(1) NOT NULL,
    has_loan_history  BIT NOT NULL,
    created_at        DATETIMEOFFSET NOT NULL,
    updated_at        DATETIMEOFFSET NOT NULL
);
CREATE INDEX ix_enterprises_region ON enterprises (region_code);

CREATE TABLE products (
    id                     NVARCHAR(36) PRIMARY KEY,
    institution_id         NVARCHAR(36) NOT NULL REFERENCES institutions (id),
    name                   NVARCHAR(200) NOT NULL,
    kind                   NVARCHAR(30) NOT NULL,
    min_amount             DECIMAL(18,2) NOT NULL,
    max_amount             DECIMAL(18,2) NOT NULL,
    min_term_months        INT NOT NULL,
    max_term_months        INT NOT NULL,
    min_rate               DECIMAL(6,3) NOT NULL,
    max_rate               DECIMAL(6,3) NOT NULL,
    guarantee_modes        NVARCHAR(100) NOT NULL,
    region_codes           NVARCHAR(400) NOT NULL,
    industry_codes         NVARCHAR(400) NOT NULL,
    enterprise_sizes       NVARCHAR(100) NOT NULL,
    required_tags          NVARCHAR(200) NOT NULL,
    min_years_in_business  INT NOT NULL,
    min_tax_credit_level   NVARCHAR(1) NULL,
    first_loan_friendly    BIT NOT NULL,
    policy_support         NVARCHAR(100) NOT NULL,
    approval_days          INT NOT NULL,
    description            NVARCHAR(2000) NULL,
    status                 NVARCHAR(10) NOT NULL,
    catalog_version        BIGINT NOT NULL DEFAULT 0,
    created_at             DATETIMEOFFSET NOT NULL,
    updated_at             DATETIMEOFFSET NOT NULL
);
CREATE INDEX ix_products_institution ON products (institution_id);
CREATE INDEX ix_products_status_kind ON products (status, kind);
CREATE INDEX ix_products_catalog_version ON products (catalog_version);

-- The regions a product is offered in: its own prefixes, or its institution's when it names none.
CREATE TABLE product_regions (
    product_id     NVARCHAR(36) NOT NULL REFERENCES products (id),
    region_prefix  NVARCHAR(6) NOT NULL,
    PRIMARY KEY (product_id, region_prefix)
);
CREATE INDEX ix_product_regions_prefix ON product_regions (region_prefix);

-- Bumped by every product write, so that each API node can tell when its matching index is stale.
CREATE TABLE catalog_version (
    id       INT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO catalog_version (id, version) VALUES (1, 0);

CREATE TABLE financing_requests (
    id               NVARCHAR(36) PRIMARY KEY,
    enterprise_id    NVARCHAR(36) NOT NULL REFERENCES enterprises (id),
    region_code      NVARCHAR(6) NOT NULL,
    industry_code    NVARCHAR(5) NOT NULL,
    amount           DECIMAL(18,2) NOT NULL,
    term_months      INT NOT NULL,
    purpose          NVARCHAR(20) NOT NULL,
    guarantee_modes  NVARCHAR(100) NOT NULL,
    max_rate         DECIMAL(6,3) NULL,
    needed_by        DATE NULL,
    description      NVARCHAR(2000) NULL,
    status           NVARCHAR(12) NOT NULL,
    status_reason    NVARCHAR(500) NULL,
    idempotency_key  NVARCHAR(100) NULL,
    body_hash        NVARCHAR(64) NULL,
    submitted_at     DATETIMEOFFSET NOT NULL,
    updated_at       DATETIMEOFFSET NOT NULL
);
CREATE UNIQUE INDEX ux_financing_requests_idempotency ON financing_requests (enterprise_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX ix_financing_requests_enterprise ON financing_requests (enterprise_id, submitted_at);
CREATE INDEX ix_financing_requests_region ON financing_requests (region_code, submitted_at);

CREATE TABLE request_events (
    id          BIGINT IDENTITY(1,1) PRIMARY KEY,
    request_id  NVARCHAR(36) NOT NULL REFERENCES financing_requests (id),
    at          DATETIMEOFFSET NOT NULL,
    event       NVARCHAR(40) NOT NULL,
    detail      NVARCHAR(1000) NULL
);
CREATE INDEX ix_request_events_request ON request_events (request_id, id);

-- Enterprises the platform operator has barred from matching (e.g. 失信被执行人), by credit code.
CREATE TABLE blacklist (
    credit_code  NVARCHAR(18) PRIMARY KEY,
    reason       NVARCHAR(500) NOT NULL,
    added_at     DATETIMEOFFSET NOT NULL
);
