-- Accounts and sign-in (tokens: see 0001_initial.sql). People sign in; a person's memberships tie them to an enterprise,
-- an institution, a regulator office or the platform. No secret is stored in clear: refresh tokens, client secrets,
-- invitation, reset and recovery codes as SHA-256 hashes, passwords as ASP.NET Core Identity hashes, TOTP secrets
-- protected by Data Protection (whose key ring is kept below, so that every node shares it).

CREATE TABLE people (
    id                $varchar_36$ PRIMARY KEY,
    -- A mobile number or an e-mail address, lower-cased: the one name a person signs in with.
    login             $varchar_200$ NOT NULL UNIQUE,
    display_name      $varchar_100$ NOT NULL,
    password_hash     $varchar_500$ NOT NULL,
    active            $bool$ NOT NULL,
    failed_sign_ins   $int$ NOT NULL,
    locked_until      $timestamp$ NULL,
    mfa_secret        $varchar_1000$ NULL,
    mfa_enabled       $bool$ NOT NULL,
    -- The last TOTP time step accepted: a code is good once (RFC 6238 §5.2).
    mfa_last_step     $bigint$ NULL,
    created_at        $timestamp$ NOT NULL,
    updated_at        $timestamp$ NOT NULL
);

-- 监管机构: a regulator office and the region prefix it supervises ("" = the whole country).
CREATE TABLE regulator_offices (
    id          $varchar_36$ PRIMARY KEY,
    name        $varchar_200$ NOT NULL,
    region      $varchar_6$ NOT NULL,
    created_at  $timestamp$ NOT NULL
);

-- kind enterprise | institution | regulator | platform; role owner | member | manager | officer | analyst | admin.
CREATE TABLE memberships (
    id               $varchar_36$ PRIMARY KEY,
    person_id        $varchar_36$ NOT NULL REFERENCES people (id),
    kind             $varchar_20$ NOT NULL,
    organisation_id  $varchar_36$ NOT NULL,
    role             $varchar_20$ NOT NULL,
    created_at       $timestamp$ NOT NULL,
    removed_at       $timestamp$ NULL
);
CREATE INDEX ix_memberships_person ON memberships (person_id);
CREATE INDEX ix_memberships_organisation ON memberships (kind, organisation_id);

-- A signed-in session: one chosen membership (or an API client), refreshed by single-use tokens.
CREATE TABLE sessions (
    id              $varchar_36$ PRIMARY KEY,
    person_id       $varchar_36$ NULL REFERENCES people (id),
    membership_id   $varchar_36$ NULL REFERENCES memberships (id),
    created_at      $timestamp$ NOT NULL,
    expires_at      $timestamp$ NOT NULL,
    revoked_at      $timestamp$ NULL,
    revoked_reason  $varchar_100$ NULL,
    -- Signed in with a second factor (or set one up in this session): only then may it act in a membership that needs one.
    mfa_verified    $bool$ NOT NULL
);
CREATE INDEX ix_sessions_person ON sessions (person_id);

-- Each refresh token once: a used one presented again revokes its session (theft detection).
CREATE TABLE refresh_tokens (
    token_hash  $varchar_64$ PRIMARY KEY,
    session_id  $varchar_36$ NOT NULL REFERENCES sessions (id),
    issued_at   $timestamp$ NOT NULL,
    used_at     $timestamp$ NULL
);
CREATE INDEX ix_refresh_tokens_session ON refresh_tokens (session_id);

CREATE TABLE invitations (
    id                 $varchar_36$ PRIMARY KEY,
    code_hash          $varchar_64$ NOT NULL UNIQUE,
    organisation_kind  $varchar_20$ NOT NULL,
    organisation_id    $varchar_36$ NOT NULL,
    role               $varchar_20$ NOT NULL,
    login              $varchar_200$ NULL,
    invited_by         $varchar_36$ NOT NULL,
    created_at         $timestamp$ NOT NULL,
    expires_at         $timestamp$ NOT NULL,
    accepted_at        $timestamp$ NULL,
    accepted_by        $varchar_36$ NULL,
    withdrawn_at       $timestamp$ NULL
);

CREATE TABLE recovery_codes (
    person_id  $varchar_36$ NOT NULL REFERENCES people (id),
    code_hash  $varchar_64$ NOT NULL,
    used_at    $timestamp$ NULL,
    PRIMARY KEY (person_id, code_hash)
);

CREATE TABLE password_resets (
    id          $varchar_36$ PRIMARY KEY,
    person_id   $varchar_36$ NOT NULL REFERENCES people (id),
    code_hash   $varchar_64$ NOT NULL,
    created_at  $timestamp$ NOT NULL,
    expires_at  $timestamp$ NOT NULL,
    attempts    $int$ NOT NULL,
    used_at     $timestamp$ NULL
);
CREATE INDEX ix_password_resets_person ON password_resets (person_id);

-- An institution's own system (e.g. a bank's loan system) signing in by the client-credentials grant.
CREATE TABLE api_clients (
    client_id       $varchar_36$ PRIMARY KEY,
    institution_id  $varchar_36$ NOT NULL REFERENCES institutions (id),
    name            $varchar_100$ NOT NULL,
    secret_hash     $varchar_64$ NOT NULL,
    created_by      $varchar_36$ NOT NULL,
    created_at      $timestamp$ NOT NULL,
    last_used_at    $timestamp$ NULL,
    revoked_at      $timestamp$ NULL
);

-- Outgoing messages (invitation, password reset code, sign-in alert). No SMS or mail gateway runs here: this table is
-- the outbox an admin reads, and where a real sender plugs in.
CREATE TABLE message_outbox (
    id          $identity_key$,
    channel     $varchar_10$ NOT NULL,
    recipient   $varchar_200$ NOT NULL,
    subject     $varchar_200$ NOT NULL,
    body        $varchar_2000$ NOT NULL,
    created_at  $timestamp$ NOT NULL,
    sent_at     $timestamp$ NULL
);

-- Sign-ins, failures, lockouts, MFA changes, invitations: what an admin reviews.
CREATE TABLE security_events (
    id              $identity_key$,
    at              $timestamp$ NOT NULL,
    kind            $varchar_30$ NOT NULL,
    person_id       $varchar_36$ NULL,
    login           $varchar_200$ NULL,
    client_address  $varchar_64$ NULL,
    detail          $varchar_500$ NULL
);
CREATE INDEX ix_security_events_at ON security_events (at);

-- ASP.NET Core Data Protection's key ring, shared by every node.
CREATE TABLE data_protection_keys (
    id            $identity_key$,
    friendly_name $varchar_100$ NULL,
    xml           $text$ NOT NULL
);

-- Changes that have no timeline of their own (products, institutions, targets, lists, profiles), each naming who made it.
CREATE TABLE audit_log (
    id                  $identity_key$,
    at                  $timestamp$ NOT NULL,
    subject             $varchar_30$ NOT NULL,
    subject_id          $varchar_100$ NOT NULL,
    action              $varchar_30$ NOT NULL,
    detail              $varchar_500$ NULL,
    actor_id            $varchar_36$ NULL,
    actor_name          $varchar_100$ NULL,
    actor_organisation  $varchar_200$ NULL
);
CREATE INDEX ix_audit_log_subject ON audit_log (subject, subject_id);

-- Who did it: every state change names the acting person (or API client) and their organisation as they were then.
ALTER TABLE request_events $add_column$ actor_id $varchar_36$ NULL;
ALTER TABLE request_events $add_column$ actor_name $varchar_100$ NULL;
ALTER TABLE request_events $add_column$ actor_organisation $varchar_200$ NULL;
