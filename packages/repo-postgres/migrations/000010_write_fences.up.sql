-- LimiQuantix schema, version 10: write fences (CallAttribution.fence, ChangeLog.advanceFence).
--
-- lqx_fences keeps, per office (an election or lock name), the newest fencing token a write or a
-- new leader has presented. lqx_fence(name, token) is called by a writing statement made under a
-- fence (the repositories add it to the statement's attribution FROM item) and by advanceFence:
-- it records the token when it is not older than the recorded one and otherwise raises SQLSTATE
-- LQXF1 with the recorded token in DETAIL, which aborts the writing transaction. A write under the
-- recorded token takes the row in share mode, a newer token takes it exclusively: a deposed
-- holder's write that waits behind its successor's claim sees the successor's token and is refused.
CREATE TABLE lqx_fences (
  name text PRIMARY KEY,
  token bigint NOT NULL CHECK (token > 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION lqx_fence(p_name text, p_token bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  newest bigint;
BEGIN
  -- The common case, a write under the office's current token, takes a share lock: the leader's
  -- concurrent transactions do not queue behind each other, and a claim of a newer token (which
  -- needs the row exclusively) waits for those in flight and is seen by every later one.
  SELECT token INTO newest FROM lqx_fences WHERE name = p_name FOR SHARE;
  IF newest = p_token THEN
    RETURN newest;
  END IF;
  IF newest IS NULL OR newest < p_token THEN
    INSERT INTO lqx_fences (name, token) VALUES (p_name, p_token)
    ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token, updated_at = now()
      WHERE lqx_fences.token <= EXCLUDED.token
    RETURNING token INTO newest;
    IF newest IS NOT NULL THEN
      RETURN newest;
    END IF;
    SELECT token INTO newest FROM lqx_fences WHERE name = p_name;
  END IF;
  RAISE EXCEPTION USING ERRCODE = 'LQXF1',
    MESSAGE = format('write refused: fence %s is at token %s, this write carries %s', p_name, newest, p_token),
    DETAIL = json_build_object('name', p_name, 'token', p_token, 'newestToken', newest)::text;
END $$;
