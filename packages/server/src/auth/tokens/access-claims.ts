import { Role } from "@limiquantix/domain";
import { z } from "zod";

/** AccessClaims is who an access token speaks for and what it may do: the identity and its roles. */
export interface AccessClaims {
  /** The user, service-account or node id. */
  readonly subject: string;
  /** What kind of principal the subject is. */
  readonly kind: "user" | "service-account" | "node";
  /** The username, account or node name. */
  readonly name: string;
  /** The global role, if any. */
  readonly role?: "admin" | "operator" | "viewer";
  /** The role in each project the principal is a member of. */
  readonly projects: readonly {
    readonly projectId: string;
    readonly role: "admin" | "operator" | "viewer";
  }[];
  /** The refresh-token family (session) the token was issued for. */
  readonly sessionId?: string;
}

const Kind = z.enum(["user", "service-account", "node"]);
const NonEmpty = z.string().min(1);

/** AccessClaimsSchema checks claims before they are signed, so that no token is issued that verify would refuse. */
export const AccessClaimsSchema = z.object({
  subject: NonEmpty,
  kind: Kind,
  name: NonEmpty,
  role: Role.optional(),
  projects: z.array(z.object({ projectId: NonEmpty, role: Role })),
  sessionId: NonEmpty.optional(),
});

/**
 * AccessTokenPayload is the shape of a verified token's payload. Private claims are short, since
 * the token rides on every call: `knd` kind, `nam` name, `rol` global role, `prj` [projectId, role]
 * pairs (pairs, not an object keyed by id, so no id can be mistaken for an object key such as
 * `__proto__`), `sid` session. Unknown claims are ignored rather than refused, so that during a
 * rolling upgrade an older replica accepts the tokens of a newer one.
 */
export const AccessTokenPayload = z.object({
  sub: NonEmpty,
  jti: NonEmpty,
  exp: z.number().int(),
  knd: Kind,
  nam: NonEmpty,
  rol: Role.optional(),
  prj: z.array(z.tuple([NonEmpty, Role])),
  sid: NonEmpty.optional(),
});
/** AccessTokenPayload is the decoded payload of an access token. */
export type AccessTokenPayload = z.infer<typeof AccessTokenPayload>;

/** privateClaimsOf encodes claims as the private claims of a token (`sub` is set by the issuer). */
export function privateClaimsOf(claims: AccessClaims): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    knd: claims.kind,
    nam: claims.name,
    prj: claims.projects.map((p) => [p.projectId, p.role]),
  };
  if (claims.role !== undefined) wire.rol = claims.role;
  if (claims.sessionId !== undefined) wire.sid = claims.sessionId;
  return wire;
}

/** accessClaimsOf decodes the claims of a verified payload. */
export function accessClaimsOf(payload: AccessTokenPayload): AccessClaims {
  const projects = payload.prj.map(([projectId, role]) => ({ projectId, role }));
  const claims: { -readonly [K in keyof AccessClaims]: AccessClaims[K] } = {
    subject: payload.sub,
    kind: payload.knd,
    name: payload.nam,
    projects,
  };
  // Absent, not undefined: the claims compare equal to what was signed.
  if (payload.rol !== undefined) claims.role = payload.rol;
  if (payload.sid !== undefined) claims.sessionId = payload.sid;
  return claims;
}
