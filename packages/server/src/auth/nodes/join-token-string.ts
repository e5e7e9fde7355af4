import { timingSafeEqual } from "node:crypto";
import { unauthenticated } from "@limiquantix/domain";
import { hashSecret } from "../identity/refresh-token";

/** JoinTokenString is a join token as its holder presents it, split into the token's id and its secret. */
export interface JoinTokenString {
  readonly id: string;
  readonly secret: string;
}

// The id may hold dots; the secret (32 random bytes, base64url) never does, so the last dot splits.
const TOKEN = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\.([A-Za-z0-9_-]{43})$/;

/** INVALID_JOIN_TOKEN is the one answer to a join token that is unknown, wrong, revoked or used up. */
export const INVALID_JOIN_TOKEN =
  "join token is invalid (unknown, revoked or used up): ask an admin for a new one (NodeJoinService/CreateJoinToken)";

/** invalidJoinToken is the Unauthenticated error of a join token that admits nothing, without saying why. */
export function invalidJoinToken() {
  return unauthenticated(INVALID_JOIN_TOKEN, { reason: "join-token-invalid" });
}

/** expiredJoinToken is the Unauthenticated error of a join token whose secret is right but whose time is up. */
export function expiredJoinToken() {
  return unauthenticated(
    "join token has expired: ask an admin for a new one (NodeJoinService/CreateJoinToken)",
    {
      reason: "join-token-expired",
    },
  );
}

/** formatJoinToken joins a token's id and secret into the string JoinNode takes: `<id>.<secret>`. */
export function formatJoinToken(id: string, secret: string): string {
  return `${id}.${secret}`;
}

/** parseJoinToken splits a join token string, or throws the invalid-token error. */
export function parseJoinToken(token: string): JoinTokenString {
  const m = TOKEN.exec(token);
  if (!m) throw invalidJoinToken();
  return { id: m[1] as string, secret: m[2] as string };
}

/** secretMatches compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
