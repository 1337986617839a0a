-- Results regulators can sign (tokens: see 0001_initial.sql).

-- A rejection gives a reason from a list (RejectionReason) besides its words.
ALTER TABLE dispatches $add_column$ reject_reason_code $varchar_30$ NULL;

-- The enterprise's word on the posted result: posted (awaiting it), confirmed, or disputed with a reason.
ALTER TABLE financing_requests $add_column$ result_status $varchar_20$ NULL;
ALTER TABLE financing_requests $add_column$ dispute_reason $varchar_500$ NULL;
ALTER TABLE financing_requests $add_column$ disputed_at $timestamp$ NULL;
-- Statistics columns (written by RequestFigures only): a disputed approval's amount is counted apart from the
-- matchmaking amount until it is settled; the approved rate weighs the amount-weighted average rate (普惠小微贷款利率).
ALTER TABLE financing_requests $add_column$ disputed_amount $decimal_18_2$ NULL;
ALTER TABLE financing_requests $add_column$ approved_rate $decimal_6_3$ NULL;
CREATE INDEX ix_financing_requests_result ON financing_requests (result_status, region_code);

-- A second open request of the same enterprise, purpose and about the same amount is held, linked to the first, until
-- the enterprise says it is a new need: institutions never see the same need twice.
ALTER TABLE financing_requests $add_column$ duplicate_of $varchar_36$ NULL;

-- An institution an admin deactivated: its products are off the shelves and nothing new reaches it.
ALTER TABLE institutions $add_column$ deactivated_at $timestamp$ NULL;
