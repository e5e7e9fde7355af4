-- Undoes version 9: the documents go back to the shape of version 8 (no status), then the column goes.
DROP TRIGGER clusters_touch_doc ON clusters;
CREATE TRIGGER clusters_touch_doc BEFORE INSERT OR UPDATE ON clusters FOR EACH ROW EXECUTE FUNCTION lqx_doc('id:id', 'labels:labels', 'resource_version:resourceVersion', 'created_at:createdAt:timestamptz', 'updated_at:updatedAt:timestamptz', 'name:name', 'spec:spec');
UPDATE clusters SET status = NULL WHERE status IS NOT NULL;
ALTER TABLE clusters DROP COLUMN status;
