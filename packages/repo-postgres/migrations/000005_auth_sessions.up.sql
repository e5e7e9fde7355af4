-- LimiQuantix schema, version 5: refresh-token families (the SessionStore port).
--
-- One row per family. secret_hash is the hash of the current refresh token's secret (never a
-- token); a rotation replaces it in one UPDATE that compares it, so concurrent rotations take
-- effect one after the other. A family is live while revoked_at is null and expires_at is in
-- the future; ended rows stay until purged (SqlSessionStore.purge), and an id in the table is
-- never given to a new family.
-- The table is not a resource: it has no change-log trigger and no resource_version.

CREATE TABLE auth_sessions (
  id text COLLATE "C" PRIMARY KEY,
  user_id text COLLATE "C" NOT NULL,
  secret_hash text COLLATE "C" NOT NULL CHECK (secret_hash <> ''),
  generation integer NOT NULL DEFAULT 0 CHECK (generation >= 0),
  data jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

-- revokeAllForUser reads a user's live families.
CREATE INDEX auth_sessions_live_by_user ON auth_sessions (user_id) WHERE revoked_at IS NULL;
-- purge finds the families that ended long enough ago.
CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires_at);
