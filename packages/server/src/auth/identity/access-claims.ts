import type { User } from "@limiquantix/domain";
import type { Principal } from "../../context/call-context";
import type { AccessClaims } from "../tokens/token-issuer";

/** claimsOf are the access-token claims of a user signed in under a session. */
export function claimsOf(user: User, sessionId: string): AccessClaims {
  return {
    subject: user.id,
    kind: "user",
    name: user.username,
    ...(user.role === "none" ? {} : { role: user.role }),
    projects: user.projectMemberships.map((m) => ({ projectId: m.projectId, role: m.role })),
    sessionId,
  };
}

/** principalOf is the principal a verified access token speaks for. */
export function principalOf(claims: AccessClaims): Principal {
  return {
    kind: claims.kind,
    id: claims.subject,
    name: claims.name,
    ...(claims.role ? { role: claims.role } : {}),
    projects: claims.projects,
    ...(claims.sessionId ? { sessionId: claims.sessionId } : {}),
  };
}

/** permissionsOf lists what a principal holds, as WhoAmI shows it: `role:<role>` and `project:<id>:<role>`. */
export function permissionsOf(principal: Principal): string[] {
  return [
    ...(principal.role ? [`role:${principal.role}`] : []),
    ...(principal.projects ?? []).map((p) => `project:${p.projectId}:${p.role}`),
  ];
}
