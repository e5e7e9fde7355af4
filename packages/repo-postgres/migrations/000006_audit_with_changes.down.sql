-- Undoes version 6: the logging triggers go back to version 3's and no longer store the call's
-- audit entry. Entries already stored stay.
CREATE OR REPLACE FUNCTION lqx_append_change(p_revision bigint, p_kind text, p_id text, p_project text, p_type text, p_object text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO change_log (revision, kind, resource_id, project_id, type, object, request_id, principal)
  VALUES (p_revision, p_kind, p_id, p_project, p_type, p_object,
    nullif(current_setting('lqx.request_id', true), ''), nullif(current_setting('lqx.principal', true), ''));
  -- One payload for every change: PostgreSQL folds the notifications of a transaction into one.
  PERFORM pg_notify('lqx_change_log', '');
END;
$$;

CREATE OR REPLACE FUNCTION lqx_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP FUNCTION IF EXISTS lqx_store_call_audit(text);
