-- Label selectors are answered by the GIN index on labels, and a page is the first rows in id
-- order. Which plan is right depends on how many rows a selector matches: few (tenant=t-17)
-- want the index, many (env=prod) want a walk of the primary key that stops at the page's end.
-- With the default statistics a label value outside the most-common-values list is guessed at
-- 1% of the table, and the planner picks the primary-key walk for a selector that matches a few
-- rows, reading the whole table to find them. A larger sample of labels (and of label keys,
-- for `exists`) keeps the estimates close for up to 1,000 distinct label sets per table and
-- near zero for values it never saw.
ALTER TABLE projects ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE clusters ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE nodes ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE virtual_machines ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE vm_snapshots ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE storage_pools ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE volumes ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE volume_snapshots ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE images ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE virtual_networks ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE security_groups ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE alert_rules ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE alerts ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE drs_recommendations ALTER COLUMN labels SET STATISTICS 1000;
ALTER TABLE users ALTER COLUMN labels SET STATISTICS 1000;
ALTER INDEX projects_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX clusters_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX nodes_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX virtual_machines_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX vm_snapshots_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX storage_pools_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX volumes_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX volume_snapshots_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX images_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX virtual_networks_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX security_groups_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX alert_rules_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX alerts_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX drs_recommendations_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
ALTER INDEX users_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;

-- New statistics take effect at the next ANALYZE; run it now so an upgraded database does not wait
-- for autovacuum.
ANALYZE projects;
ANALYZE clusters;
ANALYZE nodes;
ANALYZE virtual_machines;
ANALYZE vm_snapshots;
ANALYZE storage_pools;
ANALYZE volumes;
ANALYZE volume_snapshots;
ANALYZE images;
ANALYZE virtual_networks;
ANALYZE security_groups;
ANALYZE alert_rules;
ANALYZE alerts;
ANALYZE drs_recommendations;
ANALYZE users;
