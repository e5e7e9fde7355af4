-- Undoes version 3: drops the change log and its triggers; resource_version goes back to
-- integer and keeps its value (the revision of the resource's last change), so versions keep
-- growing under version 2's per-resource counting. It fails if a version no longer fits an integer.
DROP FUNCTION IF EXISTS lqx_log_security_group_delete() CASCADE;
DROP FUNCTION IF EXISTS lqx_log_security_group() CASCADE;
DROP FUNCTION IF EXISTS lqx_security_group_doc(security_groups);
DROP FUNCTION IF EXISTS lqx_log_delete() CASCADE;
DROP FUNCTION IF EXISTS lqx_log_change() CASCADE;
DROP FUNCTION IF EXISTS lqx_append_change(bigint, text, text, text, text, text);
DROP FUNCTION IF EXISTS lqx_stamp_revision() CASCADE;
DROP FUNCTION IF EXISTS lqx_take_revision();
DROP FUNCTION IF EXISTS lqx_head();
DROP TABLE IF EXISTS change_log_compacted;
DROP TABLE IF EXISTS change_log;
ALTER TABLE projects ALTER COLUMN resource_version TYPE integer;
ALTER TABLE clusters ALTER COLUMN resource_version TYPE integer;
ALTER TABLE nodes ALTER COLUMN resource_version TYPE integer;
ALTER TABLE virtual_machines ALTER COLUMN resource_version TYPE integer;
ALTER TABLE vm_snapshots ALTER COLUMN resource_version TYPE integer;
ALTER TABLE storage_pools ALTER COLUMN resource_version TYPE integer;
ALTER TABLE volumes ALTER COLUMN resource_version TYPE integer;
ALTER TABLE volume_snapshots ALTER COLUMN resource_version TYPE integer;
ALTER TABLE images ALTER COLUMN resource_version TYPE integer;
ALTER TABLE virtual_networks ALTER COLUMN resource_version TYPE integer;
ALTER TABLE security_groups ALTER COLUMN resource_version TYPE integer;
ALTER TABLE alerts ALTER COLUMN resource_version TYPE integer;
ALTER TABLE alert_rules ALTER COLUMN resource_version TYPE integer;
ALTER TABLE drs_recommendations ALTER COLUMN resource_version TYPE integer;
ALTER TABLE users ALTER COLUMN resource_version TYPE integer;
