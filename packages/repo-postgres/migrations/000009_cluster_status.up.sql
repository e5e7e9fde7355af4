-- LimiQuantix schema, version 9: what the control plane reports about a cluster (Cluster.status).
--
-- status holds {"drs": {"lastRunAt", "nextRunAt", "imbalanceBefore", "imbalanceAfter", "lastResult",
-- "lastError", "runRequests", "runsServed", "runRequestedAt"}}: the DRS controller's last pass and
-- the passes asked for through any replica (RunNow). It is NULL (absent) until DRS first reports;
-- no row is rewritten here.
ALTER TABLE clusters ADD COLUMN status jsonb;

DROP TRIGGER clusters_touch_doc ON clusters;
CREATE TRIGGER clusters_touch_doc BEFORE INSERT OR UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'spec:spec', 'status:status');
