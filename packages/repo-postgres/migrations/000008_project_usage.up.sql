-- LimiQuantix schema, version 8: the use a project's quota is counted against (Project.status).
--
-- status holds {"usage": {"vcpus", "memoryMib", "vms", "volumes", "storageGib"}}, kept by the
-- server while the project's quota sets a limit, and NULL (absent) otherwise. No row is rewritten
-- here: a project stored before this version has no status, and the server counts its use the
-- first time a call changes it, in that call's transaction and under the project row's lock, so
-- the count cannot miss a concurrent create.
ALTER TABLE projects ADD COLUMN status jsonb;

DROP TRIGGER projects_touch_doc ON projects;
CREATE TRIGGER projects_touch_doc BEFORE INSERT OR UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'description:description', 'quota:quota', 'status:status');
