import { z } from "zod";
import { parseOrThrow } from "../validation";
import type { NewAuthSession } from "./session-store";

/** MAX_SESSION_DATA_BYTES is the largest a session's data may be once serialised as JSON. */
export const MAX_SESSION_DATA_BYTES = 4096;

/** MAX_SECRET_HASH_LENGTH is the longest secret hash a session store accepts (a hex SHA-512 is 128). */
export const MAX_SECRET_HASH_LENGTH = 512;

/**
 * SessionId is the schema of a session (family) id: 16 to 128 URL-safe characters. Ids must be
 * unguessable, since anyone who knows one can end the family by presenting a wrong hash.
 */
export const SessionId = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{16,128}$/,
    "must be 16 to 128 characters of A-Z, a-z, 0-9, _ and - (an unguessable id such as newSessionId makes)",
  );

const nonEmpty = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.length > 0, "must not be empty");
const UserId = nonEmpty(256);
const SecretHash = nonEmpty(MAX_SECRET_HASH_LENGTH);
const TtlMs = z.number().int().positive();

const SessionData = z.record(z.string(), z.unknown()).superRefine((data, ctx) => {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `must be JSON-serialisable (${error instanceof Error ? error.message : String(error)})`,
    });
    return;
  }
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > MAX_SESSION_DATA_BYTES)
    ctx.addIssue({
      code: "custom",
      message: `must be at most ${MAX_SESSION_DATA_BYTES} bytes of JSON (got ${bytes})`,
    });
});

const NewSessionInput = z.strictObject({
  id: SessionId.optional(),
  userId: UserId,
  secretHash: SecretHash,
  ttlMs: TtlMs,
  data: SessionData.optional(),
});

const RotationInput = z
  .object({ id: SessionId, presentedSecretHash: SecretHash, nextSecretHash: SecretHash, ttlMs: TtlMs })
  .refine((r) => r.nextSecretHash !== r.presentedSecretHash, {
    path: ["nextSecretHash"],
    message: "must differ from presentedSecretHash (hash a freshly generated secret)",
  });

/** CheckedNewSession is a validated NewAuthSession: data made a JSON round trip, and its JSON text. */
export interface CheckedNewSession {
  readonly id?: string;
  readonly userId: string;
  readonly secretHash: string;
  readonly ttlMs: number;
  readonly data: Record<string, unknown>;
  readonly dataJson: string;
}

/** checkNewAuthSession validates create's input, or throws InvalidArgument naming each bad field. */
export function checkNewAuthSession(input: NewAuthSession): CheckedNewSession {
  const parsed = parseOrThrow(NewSessionInput, input, "new session");
  const dataJson = JSON.stringify(parsed.data ?? {});
  return {
    ...(parsed.id === undefined ? {} : { id: parsed.id }),
    userId: parsed.userId,
    secretHash: parsed.secretHash,
    ttlMs: parsed.ttlMs,
    data: JSON.parse(dataJson) as Record<string, unknown>,
    dataJson,
  };
}

/** checkSessionId validates a session id, or throws InvalidArgument. */
export function checkSessionId(id: string, field = "id"): string {
  return parseOrThrow(SessionId, id, "session id", [field]);
}

/** checkSessionUserId validates the user id of revokeAllForUser, or throws InvalidArgument. */
export function checkSessionUserId(userId: string): string {
  return parseOrThrow(UserId, userId, "user id", ["userId"]);
}

/** checkRotation validates rotate's arguments, or throws InvalidArgument naming each bad one. */
export function checkRotation(
  id: string,
  presentedSecretHash: string,
  nextSecretHash: string,
  ttlMs: number,
): { id: string; presentedSecretHash: string; nextSecretHash: string; ttlMs: number } {
  return parseOrThrow(RotationInput, { id, presentedSecretHash, nextSecretHash, ttlMs }, "session rotation");
}

/** newSessionId makes an unguessable session id: 32 random bytes, base64url (43 characters). */
export function newSessionId(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  // btoa rather than Buffer, so the domain stays free of Node-only APIs.
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
