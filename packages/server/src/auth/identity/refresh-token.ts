import { createHash, randomBytes } from "node:crypto";
import { unauthenticated } from "@limiquantix/domain";

/** RefreshSecret is the secret half of a refresh token and the hash the session store keeps of it. */
export interface RefreshSecret {
  readonly secret: string;
  readonly hash: string;
}

/** hashSecret is the SHA-256 of a refresh token's secret, as the session store keeps it (the secret itself is never stored). */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

/** newRefreshSecret draws 32 random bytes for a refresh token. */
export function newRefreshSecret(): RefreshSecret {
  const secret = randomBytes(32).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

/** formatRefreshToken joins a session id and a secret into the opaque token clients hold. */
export function formatRefreshToken(sessionId: string, secret: string): string {
  return `${sessionId}.${secret}`;
}

const TOKEN = /^([A-Za-z0-9_-]{16,128})\.([A-Za-z0-9_-]{43})$/;

/** parseRefreshToken splits a refresh token into its session id and secret, or throws Unauthenticated. */
export function parseRefreshToken(token: string): { sessionId: string; secret: string } {
  const m = TOKEN.exec(token);
  if (!m)
    throw unauthenticated("refresh token is malformed: log in again", { reason: "refresh-token-invalid" });
  return { sessionId: m[1] as string, secret: m[2] as string };
}
