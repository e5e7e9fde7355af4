import type { Access } from "../auth/access-setup";
import type { TokenIssuer } from "../auth/tokens";

/** metricsAllowed accepts a /metrics request that carries a valid access token. */
export async function metricsAllowed(access: Access, authorization: string | undefined): Promise<boolean> {
  const m = /^Bearer +(\S+)$/i.exec(authorization ?? "");
  if (!m) return false;
  try {
    const { claims } = await access.tokens.verify(m[1] as string);
    return !claims.sessionId || (await access.liveness.isLive(claims.sessionId));
  } catch {
    return false;
  }
}

/** NodeCredentials hand simulated agents the access token of the node they speak for. */
export type NodeCredentials = (nodeId: string) => Promise<string>;

const NODE_TOKEN_TTL_SEC = 900;

/**
 * nodeCredentials mints short-lived node tokens for the simulated agents this process runs (they
 * are part of the server, so they need no join token): each names the one node it may speak for
 * (`node-registrar` registers new ones), and is renewed a minute before it expires.
 */
export function nodeCredentials(tokens: TokenIssuer): NodeCredentials {
  const held = new Map<string, { token: string; renewAt: number }>();
  return async (nodeId) => {
    const h = held.get(nodeId);
    if (h && h.renewAt > Date.now()) return h.token;
    const { token, expiresAt } = await tokens.sign(
      { subject: nodeId, kind: "node", name: nodeId, projects: [] },
      NODE_TOKEN_TTL_SEC,
    );
    held.set(nodeId, { token, renewAt: expiresAt.getTime() - 60_000 });
    return token;
  };
}
