import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { rootCertificates } from "node:tls";
import type { Access } from "../auth/access-setup";
import type { JoinTokenService } from "../auth/nodes/join-token-service";
import { systemContext } from "../context/call-context";

/** metricsAllowed accepts a /metrics request whose bearer token a call would be accepted with. */
export async function metricsAllowed(access: Access, authorization: string | undefined): Promise<boolean> {
  if (!authorization) return false;
  const principal = await access.bearer.authenticate(new Headers({ authorization })).catch(() => undefined);
  return principal !== undefined && principal.kind !== "anonymous";
}

/** SIM_JOIN_TOKEN_TTL_MS is how long the join token of the simulated nodes lasts: ample time for them to join. */
const SIM_JOIN_TOKEN_TTL_MS = 10 * 60_000;

/** SimJoinToken is the join token of this process's simulated nodes, and how to revoke it once they have joined. */
export interface SimJoinToken {
  readonly token: string;
  revoke(): Promise<void>;
}

/**
 * simJoinToken creates the join token the simulated nodes of this process join with, as an admin
 * would for real hosts: one use per node, ten minutes. Revoke it once they have joined, so no
 * token of theirs is left behind.
 */
export async function simJoinToken(tokens: JoinTokenService, count: number): Promise<SimJoinToken> {
  const ctx = systemContext("sim-nodes");
  const { joinToken, token } = await tokens.create(ctx, {
    name: `sim-nodes-${randomBytes(4).toString("hex")}`,
    description: "the simulated nodes of one server process",
    labels: { "limiquantix.io/simulated": "true" },
    maxUses: count,
    ttlMs: SIM_JOIN_TOKEN_TTL_MS,
  });
  return { token, revoke: () => tokens.revoke(ctx, joinToken.id) };
}

/**
 * simulatedNodesTrust is what the simulated agents trust for the server's TLS listener: the
 * public roots, `server.tls.caFile` when given, and the server's own certificate file (enough
 * when it is self-signed). The certificate must name the address they call.
 */
export async function simulatedNodesTrust(tls: {
  readonly certFile: string;
  readonly caFile?: string;
}): Promise<string[]> {
  const own = await readFile(tls.certFile, "utf8");
  const ca = tls.caFile ? [await readFile(tls.caFile, "utf8")] : [];
  return [...rootCertificates, ...ca, own];
}
