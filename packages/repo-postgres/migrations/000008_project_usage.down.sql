-- Undoes version 8: the documents go back to the shape of version 7 (no status), then the column goes.
DROP TRIGGER projects_touch_doc ON projects;
CREATE TRIGGER projects_touch_doc BEFORE INSERT OR UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'description:description', 'quota:quota');
UPDATE projects SET status = NULL WHERE status IS NOT NULL;
ALTER TABLE projects DROP COLUMN status;
