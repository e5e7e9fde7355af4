-- LimiQuantix schema, version 7: node join tokens (the NodeJoinToken kind).
--
-- A join token admits up to max_uses nodes until expires_at. secret_hash is the hash of the
-- token's secret (never the secret, which is shown once when the token is created). A join
-- spends a use with an optimistic update (resource_version), so two joins never spend the last
-- use twice. The cluster is not a foreign key: like an alert, a token keeps the id of its cluster
-- after the cluster is deleted, and a join with it is then refused.
-- Frame, indexes and triggers as for every resource table (see versions 1, 2 and 3).

CREATE TABLE node_join_tokens (
  id text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(labels) = 'object'),
  resource_version bigint NOT NULL DEFAULT 1 CHECK (resource_version >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  doc text NOT NULL,
  description text NOT NULL DEFAULT '',
  secret_hash text COLLATE "C" NOT NULL CHECK (secret_hash <> ''),
  expires_at timestamptz NOT NULL,
  max_uses integer NOT NULL CHECK (max_uses >= 1),
  uses integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  cluster_id text COLLATE "C",
  created_by text NOT NULL,
  CONSTRAINT node_join_tokens_name_key UNIQUE (name)
);
CREATE INDEX node_join_tokens_expires_at_idx ON node_join_tokens (expires_at);

CREATE INDEX node_join_tokens_labels_idx ON node_join_tokens USING gin (labels jsonb_path_ops) WITH (fastupdate = off);
CREATE INDEX node_join_tokens_label_keys_idx ON node_join_tokens USING gin (lqx_label_keys(labels)) WITH (fastupdate = off);
ALTER TABLE node_join_tokens ALTER COLUMN labels SET STATISTICS 1000;
ALTER INDEX node_join_tokens_label_keys_idx ALTER COLUMN 1 SET STATISTICS 1000;
CREATE TRIGGER node_join_tokens_touch BEFORE UPDATE ON node_join_tokens FOR EACH ROW EXECUTE FUNCTION lqx_touch();
CREATE TRIGGER node_join_tokens_touch_doc BEFORE INSERT OR UPDATE ON node_join_tokens FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'description:description', 'secret_hash:secretHash', 'expires_at:expiresAt:timestamptz', 'max_uses:maxUses', 'uses:uses', 'cluster_id:clusterId', 'created_by:createdBy');

CREATE TRIGGER node_join_tokens_touch_change BEFORE INSERT OR UPDATE ON node_join_tokens FOR EACH ROW EXECUTE FUNCTION lqx_stamp_revision();
CREATE TRIGGER node_join_tokens_log_change AFTER INSERT OR UPDATE ON node_join_tokens FOR EACH ROW EXECUTE FUNCTION lqx_log_change('NodeJoinToken', '');
CREATE TRIGGER node_join_tokens_log_delete BEFORE DELETE ON node_join_tokens FOR EACH ROW EXECUTE FUNCTION lqx_log_delete('NodeJoinToken', '');
