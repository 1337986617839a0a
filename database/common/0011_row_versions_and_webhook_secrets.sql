-- Safe concurrent edits (tokens: see 0001_initial.sql). A product's and an enterprise profile's row version: every write
-- of the row moves it on, and a change names the version it was made from (HTTP If-Match, RFC 9110 §13.1.1), checked in
-- the UPDATE's own WHERE clause, so a change made from a stale copy changes nothing.
ALTER TABLE products $add_column$ row_version $bigint$ NOT NULL DEFAULT 1;
ALTER TABLE enterprises $add_column$ row_version $bigint$ NOT NULL DEFAULT 1;

-- Webhook signing secrets (Standard Webhooks: whsec_ and the base64 of the key), protected by ASP.NET Core Data
-- Protection: the current one, and the one it replaced, which still signs until webhook_previous_secret_until so that
-- a receiver can switch over. The plaintext webhook_secret of 0001 is protected into webhook_signing_secret and emptied
-- at start-up (WebhookSecrets.ProtectStoredPlaintextAsync).
ALTER TABLE institutions $add_column$ webhook_signing_secret $varchar_1000$ NULL;
ALTER TABLE institutions $add_column$ webhook_previous_secret $varchar_1000$ NULL;
ALTER TABLE institutions $add_column$ webhook_previous_secret_until $timestamp$ NULL;
