-- LimiQuantix schema, version 6: the audit entry of a call commits with its changes.
--
-- The repositories hand the logging triggers the audit entry of the call they write for, as
-- JSON text in the transaction-local setting lqx.audit (set with set_config in the writing
-- statement, beside lqx.request_id and lqx.principal; empty when the call is not audited). The
-- first change a transaction logs while lqx.audit is set stores that entry in audit_log, in the
-- same transaction, unless an entry with its id is there already: a change never commits
-- without its call's entry, a call that commits several transactions is recorded once (by the
-- first to commit), and a transaction that rolls back takes its entry with it, so the call's
-- next transaction stores it. Writers already hold the change log's advisory lock when their
-- entry is stored, so two transactions of one call never race for it.
--
-- lqx.audit_stored remembers, for the rest of the transaction, the entry it stored (or found):
-- later changes of the transaction compare two settings and store nothing, instead of parsing
-- the entry again. Like every local setting it is undone with the (sub)transaction that set it.
-- The version does not depend on version 5, and version 5 need not exist.

-- lqx_store_call_audit stores the audit entry of the call (JSON text) unless its id is stored.
CREATE FUNCTION lqx_store_call_audit(p_entry text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  e jsonb := p_entry::jsonb;
BEGIN
  INSERT INTO audit_log (id, at, username, action, project_id, resource_kind, resource_id, outcome, entry)
  VALUES (e->>'id', (e->>'at')::timestamptz, e->'actor'->>'username', e->>'action', e->>'projectId',
    e->'resource'->>'kind', e->'resource'->>'id', e->>'outcome', e)
  ON CONFLICT (id) DO NOTHING;
  PERFORM set_config('lqx.audit_stored', p_entry, true);
END;
$$;

-- As in version 3, plus the call's audit entry.
CREATE OR REPLACE FUNCTION lqx_append_change(p_revision bigint, p_kind text, p_id text, p_project text, p_type text, p_object text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  audit text := current_setting('lqx.audit', true);
BEGIN
  INSERT INTO change_log (revision, kind, resource_id, project_id, type, object, request_id, principal)
  VALUES (p_revision, p_kind, p_id, p_project, p_type, p_object,
    nullif(current_setting('lqx.request_id', true), ''), nullif(current_setting('lqx.principal', true), ''));
  IF audit <> '' AND audit IS DISTINCT FROM current_setting('lqx.audit_stored', true) THEN
    PERFORM lqx_store_call_audit(audit);
  END IF;
  -- One payload for every change: PostgreSQL folds the notifications of a transaction into one.
  PERFORM pg_notify('lqx_change_log', '');
END;
$$;

-- As in version 3, plus the call's audit entry (lqx_append_change written out, see version 3).
CREATE OR REPLACE FUNCTION lqx_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  project text;
  audit text := current_setting('lqx.audit', true);
BEGIN
  IF TG_ARGV[1] = 'project' THEN project := NEW.project_id; END IF;
  INSERT INTO change_log (revision, kind, resource_id, project_id, type, object, request_id, principal)
  VALUES (NEW.resource_version, TG_ARGV[0], NEW.id, project, CASE TG_OP WHEN 'INSERT' THEN 'ADDED' ELSE 'MODIFIED' END,
    NEW.doc, nullif(current_setting('lqx.request_id', true), ''), nullif(current_setting('lqx.principal', true), ''));
  IF audit <> '' AND audit IS DISTINCT FROM current_setting('lqx.audit_stored', true) THEN
    PERFORM lqx_store_call_audit(audit);
  END IF;
  PERFORM pg_notify('lqx_change_log', '');
  RETURN NULL;
END;
$$;
