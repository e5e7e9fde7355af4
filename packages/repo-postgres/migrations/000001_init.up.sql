-- LimiQuantix schema, version 1: one table per resource kind.
--
-- Every resource table has the same frame: a text id in byte order (COLLATE "C", so keyset
-- pagination by id matches the order clients sort in), resource_version for optimistic
-- concurrency, created_at / updated_at, and labels as JSONB with two GIN indexes: a
-- jsonb_path_ops one for @> (key and value hashed together, so `tenant=a` reads only the rows
-- that carry it, not every row with a `tenant` key) and one on the array of label keys for
-- "label exists" selectors. Both have fastupdate off: a pending list (up to 4 MB) would be
-- scanned by every selector query until vacuum merges it, which costs far more than it saves
-- on writes at control-plane write rates. Fields that are filtered on, unique, or referenced are real
-- columns (some generated from spec/status); the rest of spec and status stay JSONB.
-- Parent rows cannot be deleted while children point at them (ON DELETE RESTRICT).

-- The keys of a labels object, for the "label exists" index (jsonb_ops would also answer @>
-- and the planner could prefer it over the much faster jsonb_path_ops index).
CREATE FUNCTION lqx_label_keys(labels jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(k), '{}') FROM jsonb_object_keys(labels) AS k
$$;

CREATE FUNCTION lqx_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Writes made outside the repositories (an operator's manual UPDATE) still bump the
  -- version and the timestamp, so optimistic concurrency stays honest.
  IF NEW.resource_version = OLD.resource_version THEN
    NEW.resource_version := OLD.resource_version + 1;
    NEW.updated_at := greatest(now(), OLD.updated_at);
  END IF;
  RETURN NEW;
END;
$$;

-- Each resource row keeps `doc`: the resource as the repositories return it, as JSON text
-- (fields under their domain names, absent when NULL, timestamps as ISO strings in UTC with
-- milliseconds). Reads send it as it is, so PostgreSQL renders no JSONB and the client parses
-- one document per page instead of decoding rows. The trigger rebuilds it on every insert and
-- update, from whichever statement, so it cannot drift from the columns. Its arguments are
-- `column:field` or `column:field:timestamptz`, in the order of the table map; it is named
-- <table>_touch_doc so that it fires after <table>_touch (triggers fire in name order).
CREATE FUNCTION lqx_doc() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(NEW);
  d jsonb := '{}';
  arg text;
  v jsonb;
BEGIN
  FOREACH arg IN ARRAY TG_ARGV LOOP
    v := r -> split_part(arg, ':', 1);
    CONTINUE WHEN v IS NULL OR jsonb_typeof(v) = 'null';
    IF split_part(arg, ':', 3) = 'timestamptz' THEN
      v := to_jsonb(to_char((v ->> 0)::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
    END IF;
    d := d || jsonb_build_object(split_part(arg, ':', 2), v);
  END LOOP;
  NEW.doc := d::text;
  RETURN NEW;
END;
$$;

CREATE TABLE projects (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  description text NOT NULL DEFAULT '',
  quota jsonb NOT NULL DEFAULT '{}',
  CONSTRAINT projects_name_key UNIQUE (name)
);

CREATE TABLE clusters (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  spec jsonb NOT NULL,
  CONSTRAINT clusters_name_key UNIQUE (name)
);

-- Cluster membership is nodes.cluster_id.
CREATE TABLE nodes (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  cluster_id text COLLATE "C" REFERENCES clusters (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  status jsonb NOT NULL,
  hostname text GENERATED ALWAYS AS (spec ->> 'hostname') STORED,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT nodes_name_key UNIQUE (name),
  CONSTRAINT nodes_hostname_key UNIQUE (hostname)
);
CREATE INDEX nodes_cluster_id_idx ON nodes (cluster_id, id);
CREATE INDEX nodes_phase_idx ON nodes (phase, id);

CREATE TABLE virtual_machines (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  cluster_id text COLLATE "C" REFERENCES clusters (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  status jsonb NOT NULL,
  -- The node a VM is placed on lives in status; it is not a foreign key because a node may
  -- be removed while HA is still moving its VMs away.
  node_id text COLLATE "C" GENERATED ALWAYS AS (status ->> 'nodeId') STORED,
  power_state text GENERATED ALWAYS AS (status ->> 'powerState') STORED,
  CONSTRAINT virtual_machines_project_name_key UNIQUE (project_id, name)
);
CREATE INDEX virtual_machines_cluster_id_idx ON virtual_machines (cluster_id, id);
CREATE INDEX virtual_machines_node_id_idx ON virtual_machines (node_id, id);
CREATE INDEX virtual_machines_power_state_idx ON virtual_machines (power_state, id);

CREATE TABLE vm_snapshots (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  vm_id text COLLATE "C" NOT NULL REFERENCES virtual_machines (id) ON DELETE RESTRICT,
  description text NOT NULL DEFAULT '',
  include_memory boolean NOT NULL DEFAULT false,
  status jsonb NOT NULL,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT vm_snapshots_vm_name_key UNIQUE (vm_id, name)
);
CREATE INDEX vm_snapshots_project_id_idx ON vm_snapshots (project_id, id);

CREATE TABLE storage_pools (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" REFERENCES projects (id) ON DELETE RESTRICT,
  cluster_id text COLLATE "C" REFERENCES clusters (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  status jsonb NOT NULL,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT storage_pools_name_key UNIQUE (name)
);
CREATE INDEX storage_pools_project_id_idx ON storage_pools (project_id, id);
CREATE INDEX storage_pools_cluster_id_idx ON storage_pools (cluster_id, id);

CREATE TABLE volumes (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  status jsonb NOT NULL,
  pool_id text COLLATE "C" GENERATED ALWAYS AS (spec ->> 'poolId') STORED
    REFERENCES storage_pools (id) ON DELETE RESTRICT,
  attached_vm_id text COLLATE "C" GENERATED ALWAYS AS (status -> 'attachment' ->> 'vmId') STORED,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT volumes_project_name_key UNIQUE (project_id, name)
);
CREATE INDEX volumes_pool_id_idx ON volumes (pool_id, id);
CREATE INDEX volumes_attached_vm_id_idx ON volumes (attached_vm_id, id);

CREATE TABLE volume_snapshots (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  volume_id text COLLATE "C" NOT NULL REFERENCES volumes (id) ON DELETE RESTRICT,
  description text NOT NULL DEFAULT '',
  status jsonb NOT NULL,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT volume_snapshots_volume_name_key UNIQUE (volume_id, name)
);
CREATE INDEX volume_snapshots_project_id_idx ON volume_snapshots (project_id, id);

CREATE TABLE images (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" REFERENCES projects (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  status jsonb NOT NULL,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT images_name_key UNIQUE (name)
);
CREATE INDEX images_project_id_idx ON images (project_id, id);

CREATE TABLE virtual_networks (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  status jsonb NOT NULL,
  phase text GENERATED ALWAYS AS (status ->> 'phase') STORED,
  CONSTRAINT virtual_networks_project_name_key UNIQUE (project_id, name)
);

-- A security group's rules live in security_rules, in order; spec holds the rest.
CREATE TABLE security_groups (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  project_id text COLLATE "C" NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
  spec jsonb NOT NULL,
  CONSTRAINT security_groups_project_name_key UNIQUE (project_id, name)
);

CREATE TABLE security_rules (
  group_id text COLLATE "C" NOT NULL REFERENCES security_groups (id) ON DELETE CASCADE,
  rule_id text NOT NULL,
  position integer NOT NULL,
  rule jsonb NOT NULL,
  PRIMARY KEY (group_id, rule_id),
  CONSTRAINT security_rules_position_key UNIQUE (group_id, position)
);

CREATE TABLE alert_rules (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  spec jsonb NOT NULL,
  CONSTRAINT alert_rules_name_key UNIQUE (name)
);

-- Alerts are a record of what happened: they keep the ids of what they were about even after
-- that is deleted, so project, cluster and rule ids are not foreign keys.
CREATE TABLE alerts (
  id text COLLATE "C" PRIMARY KEY,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  project_id text COLLATE "C",
  cluster_id text COLLATE "C",
  severity text NOT NULL,
  state text NOT NULL,
  source jsonb NOT NULL,
  title text NOT NULL,
  message text NOT NULL DEFAULT '',
  fingerprint text NOT NULL,
  rule_id text COLLATE "C",
  acknowledged jsonb,
  resolved jsonb
);
CREATE INDEX alerts_active_fingerprint_idx ON alerts (fingerprint, id) WHERE state <> 'RESOLVED';
CREATE INDEX alerts_project_id_idx ON alerts (project_id, id);
CREATE INDEX alerts_cluster_id_idx ON alerts (cluster_id, id);
CREATE INDEX alerts_state_idx ON alerts (state, id);

CREATE TABLE drs_recommendations (
  id text COLLATE "C" PRIMARY KEY,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  cluster_id text COLLATE "C" NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
  priority text NOT NULL,
  type text NOT NULL,
  vm_id text COLLATE "C",
  source_node_id text COLLATE "C",
  target_node_id text COLLATE "C",
  reason text NOT NULL,
  impact jsonb NOT NULL,
  state text NOT NULL,
  decided_by text,
  decided_at text,
  applied_at text,
  error text
);
CREATE INDEX drs_recommendations_cluster_id_idx ON drs_recommendations (cluster_id, id);
CREATE INDEX drs_recommendations_vm_id_idx ON drs_recommendations (vm_id, id);
CREATE INDEX drs_recommendations_state_idx ON drs_recommendations (state, id);

CREATE TABLE users (
  id text COLLATE "C" PRIMARY KEY,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version integer NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  username text NOT NULL,
  email text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  role text NOT NULL,
  project_memberships jsonb NOT NULL DEFAULT '[]',
  password_hash text,
  disabled boolean NOT NULL DEFAULT false,
  last_login_at text,
  CONSTRAINT users_username_key UNIQUE (username),
  CONSTRAINT users_email_key UNIQUE (email)
);

-- The audit log is append-only: the entry as given, plus the columns it is filtered and ordered by.
CREATE TABLE audit_log (
  id text COLLATE "C" PRIMARY KEY,
  at timestamptz NOT NULL,
  username text NOT NULL,
  action text NOT NULL,
  project_id text COLLATE "C",
  resource_kind text,
  resource_id text COLLATE "C",
  outcome text NOT NULL,
  entry jsonb NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_username_idx ON audit_log (username, at DESC);
CREATE INDEX audit_log_resource_idx ON audit_log (resource_kind, resource_id, at DESC);
CREATE INDEX audit_log_project_id_idx ON audit_log (project_id, at DESC);

CREATE INDEX projects_labels_idx ON projects USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX projects_label_keys_idx ON projects USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER projects_touch BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER projects_touch_doc BEFORE INSERT OR UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'description:description', 'quota:quota');

CREATE INDEX clusters_labels_idx ON clusters USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX clusters_label_keys_idx ON clusters USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER clusters_touch BEFORE UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER clusters_touch_doc BEFORE INSERT OR UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'spec:spec');

CREATE INDEX nodes_labels_idx ON nodes USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX nodes_label_keys_idx ON nodes USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER nodes_touch BEFORE UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER nodes_touch_doc BEFORE INSERT OR UPDATE ON nodes FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'cluster_id:clusterId', 'spec:spec', 'status:status');

CREATE INDEX virtual_machines_labels_idx ON virtual_machines USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX virtual_machines_label_keys_idx ON virtual_machines USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER virtual_machines_touch BEFORE UPDATE ON virtual_machines FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER virtual_machines_touch_doc BEFORE INSERT OR UPDATE ON virtual_machines FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'cluster_id:clusterId', 'spec:spec', 'status:status');

CREATE INDEX vm_snapshots_labels_idx ON vm_snapshots USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX vm_snapshots_label_keys_idx ON vm_snapshots USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER vm_snapshots_touch BEFORE UPDATE ON vm_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER vm_snapshots_touch_doc BEFORE INSERT OR UPDATE ON vm_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'vm_id:vmId', 'description:description', 'include_memory:includeMemory', 'status:status');

CREATE INDEX storage_pools_labels_idx ON storage_pools USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX storage_pools_label_keys_idx ON storage_pools USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER storage_pools_touch BEFORE UPDATE ON storage_pools FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER storage_pools_touch_doc BEFORE INSERT OR UPDATE ON storage_pools FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'cluster_id:clusterId', 'spec:spec', 'status:status');

CREATE INDEX volumes_labels_idx ON volumes USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX volumes_label_keys_idx ON volumes USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER volumes_touch BEFORE UPDATE ON volumes FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER volumes_touch_doc BEFORE INSERT OR UPDATE ON volumes FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'spec:spec', 'status:status');

CREATE INDEX volume_snapshots_labels_idx ON volume_snapshots USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX volume_snapshots_label_keys_idx ON volume_snapshots USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER volume_snapshots_touch BEFORE UPDATE ON volume_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER volume_snapshots_touch_doc BEFORE INSERT OR UPDATE ON volume_snapshots FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'volume_id:volumeId', 'description:description', 'status:status');

CREATE INDEX images_labels_idx ON images USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX images_label_keys_idx ON images USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER images_touch BEFORE UPDATE ON images FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER images_touch_doc BEFORE INSERT OR UPDATE ON images FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'spec:spec', 'status:status');

CREATE INDEX virtual_networks_labels_idx ON virtual_networks USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX virtual_networks_label_keys_idx ON virtual_networks USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER virtual_networks_touch BEFORE UPDATE ON virtual_networks FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER virtual_networks_touch_doc BEFORE INSERT OR UPDATE ON virtual_networks FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'project_id:projectId', 'spec:spec', 'status:status');

CREATE INDEX security_groups_labels_idx ON security_groups USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX security_groups_label_keys_idx ON security_groups USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER security_groups_touch BEFORE UPDATE ON security_groups FOR EACH ROW EXECUTE FUNCTION lqx_touch();

CREATE INDEX alert_rules_labels_idx ON alert_rules USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX alert_rules_label_keys_idx ON alert_rules USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER alert_rules_touch BEFORE UPDATE ON alert_rules FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER alert_rules_touch_doc BEFORE INSERT OR UPDATE ON alert_rules FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'spec:spec');

CREATE INDEX alerts_labels_idx ON alerts USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX alerts_label_keys_idx ON alerts USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER alerts_touch BEFORE UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER alerts_touch_doc BEFORE INSERT OR UPDATE ON alerts FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'project_id:projectId', 'cluster_id:clusterId', 'severity:severity', 'state:state', 'source:source', 'title:title', 'message:message', 'fingerprint:fingerprint', 'rule_id:ruleId', 'acknowledged:acknowledged', 'resolved:resolved');

CREATE INDEX drs_recommendations_labels_idx ON drs_recommendations USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX drs_recommendations_label_keys_idx ON drs_recommendations USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER drs_recommendations_touch BEFORE UPDATE ON drs_recommendations FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER drs_recommendations_touch_doc BEFORE INSERT OR UPDATE ON drs_recommendations FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'cluster_id:clusterId', 'priority:priority', 'type:type', 'vm_id:vmId', 'source_node_id:sourceNodeId', 'target_node_id:targetNodeId', 'reason:reason', 'impact:impact', 'state:state', 'decided_by:decidedBy', 'decided_at:decidedAt', 'applied_at:appliedAt', 'error:error');

CREATE INDEX users_labels_idx ON users USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX users_label_keys_idx ON users USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER users_touch_doc BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'username:username', 'email:email', 'display_name:displayName', 'role:role', 'project_memberships:projectMemberships', 'password_hash:passwordHash', 'disabled:disabled', 'last_login_at:lastLoginAt');
