-- The size (大中小微) is derived from industry, employees, revenue and total assets by the rules of
-- 工信部联企业〔2011〕300号 (ReferenceData/sme-size-rules.json); size_reason says how, and total_assets feeds the
-- industries the notice sizes by assets (建筑业, 房地产开发经营, 租赁和商务服务业). registered_elsewhere_reason is the
-- enterprise's own word why its credit code was issued in another province than its region.
ALTER TABLE enterprises $add_column$ total_assets $decimal_18_2$ NULL;
ALTER TABLE enterprises $add_column$ size_reason $varchar_1000$ NULL;
ALTER TABLE enterprises $add_column$ registered_elsewhere_reason $varchar_500$ NULL;
