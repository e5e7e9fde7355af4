-- LimiQuantix schema, version 3: the change log.
--
-- Every committed write of a resource appends one row to change_log, in the writing
-- transaction, by triggers on the resource tables, so writes made outside the repositories log
-- themselves too. The row's revision is cluster-wide and becomes the resource's
-- resource_version (now bigint).
--
-- Revisions follow commit order. A transaction's first change takes a transaction-level advisory
-- lock (key 7315620412) and holds it until it commits or rolls back; only then does it read the
-- latest committed revision (max(revision), or the compaction point when the log is empty) and
-- take the next one. A second writer waits for the lock, and PostgreSQL releases it only after
-- the first writer's commit is visible, so the second reads that commit and goes above it: no
-- revision is ever committed below one a reader has already seen. A sequence cannot give that
-- (its values are handed out in call order, not commit order), and a counter row would be
-- rewritten by every write. Within a transaction the next revision is kept in the
-- transaction-local setting lqx.revision_cursor, tagged with the transaction id. Revisions are
-- strictly increasing; a revision that a rolled-back transaction had taken is taken again, and
-- one taken by a row that INSERT … ON CONFLICT DO NOTHING skipped is not used when the same
-- transaction writes again. Writers must run in READ COMMITTED (the default, and what the
-- repositories use): under REPEATABLE READ a writer reads the latest revision from its old
-- snapshot, and if another transaction committed since, its entry fails on change_log_pkey and
-- it must retry.
--
-- The logging trigger adds the request id and principal of the call (lqx.request_id and
-- lqx.principal, which the repositories set with set_config in the writing statement) and
-- notifies the channel lqx_change_log; PostgreSQL delivers the notification on commit, once
-- per transaction, so followers wake without polling. change_log_compacted records the highest
-- revision compaction removed: reads must start at or above it.

CREATE TABLE change_log (
  revision bigint PRIMARY KEY,
  kind text NOT NULL,
  resource_id text COLLATE "C" NOT NULL,
  project_id text COLLATE "C",
  type text NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
  -- The resource as the repositories return it (JSON text): after the change, before it for DELETED.
  object text NOT NULL,
  request_id text,
  principal text,
  at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE change_log_compacted (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  through bigint NOT NULL CHECK (through >= 0)
);

-- Revisions outgrow integer long before versions of one resource did.

ALTER TABLE projects ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE clusters ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE nodes ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE virtual_machines ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE vm_snapshots ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE storage_pools ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE volumes ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE volume_snapshots ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE images ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE virtual_networks ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE security_groups ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE alerts ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE alert_rules ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE drs_recommendations ALTER COLUMN resource_version TYPE bigint;
ALTER TABLE users ALTER COLUMN resource_version TYPE bigint;

-- Start above every resource_version already stored, so each resource's versions keep growing.
-- The changes before this migration are not in the log: reads start at the first revision after it.
INSERT INTO change_log_compacted (through) SELECT greatest(0
  , (SELECT coalesce(max(resource_version), 0) FROM projects)
  , (SELECT coalesce(max(resource_version), 0) FROM clusters)
  , (SELECT coalesce(max(resource_version), 0) FROM nodes)
  , (SELECT coalesce(max(resource_version), 0) FROM virtual_machines)
  , (SELECT coalesce(max(resource_version), 0) FROM vm_snapshots)
  , (SELECT coalesce(max(resource_version), 0) FROM storage_pools)
  , (SELECT coalesce(max(resource_version), 0) FROM volumes)
  , (SELECT coalesce(max(resource_version), 0) FROM volume_snapshots)
  , (SELECT coalesce(max(resource_version), 0) FROM images)
  , (SELECT coalesce(max(resource_version), 0) FROM virtual_networks)
  , (SELECT coalesce(max(resource_version), 0) FROM security_groups)
  , (SELECT coalesce(max(resource_version), 0) FROM alerts)
  , (SELECT coalesce(max(resource_version), 0) FROM alert_rules)
  , (SELECT coalesce(max(resource_version), 0) FROM drs_recommendations)
  , (SELECT coalesce(max(resource_version), 0) FROM users)
);

-- lqx_head is the latest committed revision (in the caller's snapshot).
CREATE FUNCTION lqx_head() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT greatest((SELECT max(l.revision) FROM change_log l), (SELECT c.through FROM change_log_compacted c))
$$;

-- lqx_take_revision returns the next revision for a change of the current transaction.
CREATE FUNCTION lqx_take_revision() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  tx text := pg_current_xact_id()::text;
  pending text := current_setting('lqx.revision_cursor', true);
  rev bigint;
BEGIN
  IF pending IS NOT NULL AND split_part(pending, ':', 1) = tx THEN
    rev := split_part(pending, ':', 2)::bigint + 1;
  ELSE
    -- The transaction's first change: hold the lock until commit, then read what is committed (see above).
    PERFORM pg_advisory_xact_lock(7315620412);
    -- A query of its own, so it reads with a snapshot taken after the lock was granted.
    SELECT greatest((SELECT max(l.revision) FROM change_log l), (SELECT c.through FROM change_log_compacted c)) + 1
      INTO rev;
  END IF;
  PERFORM set_config('lqx.revision_cursor', tx || ':' || rev, true);
  RETURN rev;
END;
$$;

-- lqx_stamp_revision gives an inserted or updated row its revision as resource_version. Its
-- triggers are named <table>_touch_change, so they fire after <table>_touch and before
-- <table>_touch_doc, which puts the revision in the doc. It is lqx_take_revision written out:
-- on the path of every write, a nested PL/pgSQL call costs as much as the work it does.
CREATE FUNCTION lqx_stamp_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tx text := pg_current_xact_id()::text;
  pending text := current_setting('lqx.revision_cursor', true);
  rev bigint;
BEGIN
  IF pending IS NOT NULL AND split_part(pending, ':', 1) = tx THEN
    rev := split_part(pending, ':', 2)::bigint + 1;
  ELSE
    PERFORM pg_advisory_xact_lock(7315620412);
    SELECT greatest((SELECT max(l.revision) FROM change_log l), (SELECT c.through FROM change_log_compacted c)) + 1
      INTO rev;
  END IF;
  PERFORM set_config('lqx.revision_cursor', tx || ':' || rev, true);
  NEW.resource_version := rev;
  RETURN NEW;
END;
$$;

-- lqx_append_change appends one entry, with the call's attribution, and notifies followers on commit.
CREATE FUNCTION lqx_append_change(p_revision bigint, p_kind text, p_id text, p_project text, p_type text, p_object text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_log (revision, kind, resource_id, project_id, type, object, request_id, principal)
  VALUES (p_revision, p_kind, p_id, p_project, p_type, p_object,
    nullif(current_setting('lqx.request_id', true), ''), nullif(current_setting('lqx.principal', true), ''));
  -- One payload for every change: PostgreSQL folds the notifications of a transaction into one.
  PERFORM pg_notify('lqx_change_log', '');
END;
$$;

-- lqx_log_change logs an insert or update of a table with a doc column. Arguments: the kind,
-- and 'project' when the table has project_id. It is lqx_append_change written out (see
-- lqx_stamp_revision).
CREATE FUNCTION lqx_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  project text;
BEGIN
  IF TG_ARGV[1] = 'project' THEN project := NEW.project_id; END IF;
  INSERT INTO change_log (revision, kind, resource_id, project_id, type, object, request_id, principal)
  VALUES (NEW.resource_version, TG_ARGV[0], NEW.id, project, CASE TG_OP WHEN 'INSERT' THEN 'ADDED' ELSE 'MODIFIED' END,
    NEW.doc, nullif(current_setting('lqx.request_id', true), ''), nullif(current_setting('lqx.principal', true), ''));
  PERFORM pg_notify('lqx_change_log', '');
  RETURN NULL;
END;
$$;

-- lqx_log_delete logs a delete of a table with a doc column, with the row as it was.
CREATE FUNCTION lqx_log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  project text;
BEGIN
  IF TG_ARGV[1] = 'project' THEN project := OLD.project_id; END IF;
  PERFORM lqx_append_change(lqx_take_revision(), TG_ARGV[0], OLD.id, project, 'DELETED', OLD.doc);
  RETURN OLD;
END;
$$;

-- A security group keeps its rules in security_rules, so its logged object is built from its row
-- and its rules, as the repository reads it.
CREATE FUNCTION lqx_security_group_doc(g security_groups) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'id', g.id,
    'labels', g.labels,
    'resourceVersion', g.resource_version,
    'createdAt', to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'updatedAt', to_char(g.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'name', g.name,
    'projectId', g.project_id,
    'spec', g.spec || jsonb_build_object('rules', coalesce(
      (SELECT jsonb_agg(r.rule ORDER BY r.position) FROM security_rules r WHERE r.group_id = g.id), '[]'::jsonb))
  )::text
$$;

-- The repository writes a group's rules after its row, so its insert or update is logged at
-- commit (a deferred constraint trigger), when the rules are in place.
CREATE FUNCTION lqx_log_security_group() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lqx_append_change(NEW.resource_version, 'SecurityGroup', NEW.id, NEW.project_id,
    CASE TG_OP WHEN 'INSERT' THEN 'ADDED' ELSE 'MODIFIED' END, lqx_security_group_doc(NEW));
  RETURN NULL;
END;
$$;

-- A group's delete is logged before its rules are deleted with it.
CREATE FUNCTION lqx_log_security_group_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lqx_append_change(lqx_take_revision(), 'SecurityGroup', OLD.id, OLD.project_id, 'DELETED',
    lqx_security_group_doc(OLD));
  RETURN OLD;
END;
$$;

CREATE TRIGGER projects_touch_change BEFORE INSERT OR UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER projects_log_change AFTER INSERT OR UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_log_change('Project', '');
CREATE TRIGGER projects_log_delete BEFORE DELETE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('Project', '');

CREATE TRIGGER clusters_touch_change BEFORE INSERT OR UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER clusters_log_change AFTER INSERT OR UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_log_change('Cluster', '');
CREATE TRIGGER clusters_log_delete BEFORE DELETE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('Cluster', '');

CREATE TRIGGER nodes_touch_change BEFORE INSERT OR UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER nodes_log_change AFTER INSERT OR UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION lqx_log_change('Node', '');
CREATE TRIGGER nodes_log_delete BEFORE DELETE ON nodes FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('Node', '');

CREATE TRIGGER virtual_machines_touch_change BEFORE INSERT OR UPDATE ON virtual_machines FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER virtual_machines_log_change AFTER INSERT OR UPDATE ON virtual_machines FOR EACH ROW EXECUTE FUNCTION lqx_log_change('VirtualMachine', 'project');
CREATE TRIGGER virtual_machines_log_delete BEFORE DELETE ON virtual_machines FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('VirtualMachine', 'project');

CREATE TRIGGER vm_snapshots_touch_change BEFORE INSERT OR UPDATE ON vm_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER vm_snapshots_log_change AFTER INSERT OR UPDATE ON vm_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_log_change('VmSnapshot', 'project');
CREATE TRIGGER vm_snapshots_log_delete BEFORE DELETE ON vm_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('VmSnapshot', 'project');

CREATE TRIGGER storage_pools_touch_change BEFORE INSERT OR UPDATE ON storage_pools FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER storage_pools_log_change AFTER INSERT OR UPDATE ON storage_pools FOR EACH ROW EXECUTE FUNCTION lqx_log_change('StoragePool', 'project');
CREATE TRIGGER storage_pools_log_delete BEFORE DELETE ON storage_pools FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('StoragePool', 'project');

CREATE TRIGGER volumes_touch_change BEFORE INSERT OR UPDATE ON volumes FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER volumes_log_change AFTER INSERT OR UPDATE ON volumes FOR EACH ROW EXECUTE FUNCTION lqx_log_change('Volume', 'project');
CREATE TRIGGER volumes_log_delete BEFORE DELETE ON volumes FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('Volume', 'project');

CREATE TRIGGER volume_snapshots_touch_change BEFORE INSERT OR UPDATE ON volume_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER volume_snapshots_log_change AFTER INSERT OR UPDATE ON volume_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_log_change('VolumeSnapshot', 'project');
CREATE TRIGGER volume_snapshots_log_delete BEFORE DELETE ON volume_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('VolumeSnapshot', 'project');

CREATE TRIGGER images_touch_change BEFORE INSERT OR UPDATE ON images FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER images_log_change AFTER INSERT OR UPDATE ON images FOR EACH ROW EXECUTE FUNCTION lqx_log_change('Image', 'project');
CREATE TRIGGER images_log_delete BEFORE DELETE ON images FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('Image', 'project');

CREATE TRIGGER virtual_networks_touch_change BEFORE INSERT OR UPDATE ON virtual_networks FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER virtual_networks_log_change AFTER INSERT OR UPDATE ON virtual_networks FOR EACH ROW EXECUTE FUNCTION lqx_log_change('VirtualNetwork', 'project');
CREATE TRIGGER virtual_networks_log_delete BEFORE DELETE ON virtual_networks FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('VirtualNetwork', 'project');

CREATE TRIGGER security_groups_touch_change BEFORE INSERT OR UPDATE ON security_groups FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE CONSTRAINT TRIGGER security_groups_log_change AFTER INSERT OR UPDATE ON security_groups DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION lqx_log_security_group();
CREATE TRIGGER security_groups_log_delete BEFORE DELETE ON security_groups FOR EACH ROW EXECUTE FUNCTION lqx_log_security_group_delete();

CREATE TRIGGER alerts_touch_change BEFORE INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER alerts_log_change AFTER INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION lqx_log_change('Alert', 'project');
CREATE TRIGGER alerts_log_delete BEFORE DELETE ON alerts FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('Alert', 'project');

CREATE TRIGGER alert_rules_touch_change BEFORE INSERT OR UPDATE ON alert_rules FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER alert_rules_log_change AFTER INSERT OR UPDATE ON alert_rules FOR EACH ROW EXECUTE FUNCTION lqx_log_change('AlertRule', '');
CREATE TRIGGER alert_rules_log_delete BEFORE DELETE ON alert_rules FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('AlertRule', '');

CREATE TRIGGER drs_recommendations_touch_change BEFORE INSERT OR UPDATE ON drs_recommendations FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER drs_recommendations_log_change AFTER INSERT OR UPDATE ON drs_recommendations FOR EACH ROW EXECUTE FUNCTION lqx_log_change('DrsRecommendation', '');
CREATE TRIGGER drs_recommendations_log_delete BEFORE DELETE ON drs_recommendations FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('DrsRecommendation', '');

CREATE TRIGGER users_touch_change BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER users_log_change AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lqx_log_change('User', '');
CREATE TRIGGER users_log_delete BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('User', '');
