import { z } from "zod";
import { Description, Id, metaFields, Timestamp } from "../common";

/** MAX_JOIN_TOKEN_USES bounds how many nodes one join token may admit. */
export const MAX_JOIN_TOKEN_USES = 1000;

/**
 * NodeJoinToken lets hypervisor nodes join the control plane on their own, as a Kubernetes
 * bootstrap token does: an admin creates it, hands its secret to the hosts to be joined, and
 * each join spends one use until none is left or it expires. Only a hash of the secret is
 * stored; the secret itself is shown once, when the token is created.
 */
export const NodeJoinToken = z
  .strictObject({
    ...metaFields,
    description: Description.default(""),
    /** The hash of the token's secret (base64url or hex, e.g. SHA-256); never the secret. */
    secretHash: z
      .string()
      .min(32)
      .max(128)
      .regex(/^[A-Za-z0-9_-]+$/, { message: "must be a hash in base64url or hex" }),
    /** When the token stops admitting nodes, ISO-8601 UTC. */
    expiresAt: Timestamp,
    /** How many nodes the token may admit in all. */
    maxUses: z.int().min(1).max(MAX_JOIN_TOKEN_USES),
    /** How many nodes it has admitted so far. */
    uses: z.int().min(0).max(MAX_JOIN_TOKEN_USES).default(0),
    /** The cluster the nodes that join go into (the default cluster when absent). */
    clusterId: Id.optional(),
    /** Who created the token, as `<principal kind>:<name>` (e.g. `user:admin`). */
    createdBy: z.string().min(1).max(128),
  })
  .refine((t) => t.uses <= t.maxUses, {
    message: "uses must not exceed maxUses",
    path: ["uses"],
  });
/** NodeJoinToken lets nodes join the control plane on their own. */
export type NodeJoinToken = z.infer<typeof NodeJoinToken>;

/** joinTokenState says whether a join token still admits nodes at `now`: usable, expired or used up. */
export function joinTokenState(token: NodeJoinToken, now: Date): "usable" | "expired" | "used-up" {
  if (Date.parse(token.expiresAt) <= now.getTime()) return "expired";
  if (token.uses >= token.maxUses) return "used-up";
  return "usable";
}
