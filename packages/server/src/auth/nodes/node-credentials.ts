import {
  type Clock,
  failedPrecondition,
  type Node,
  type NodeRepository,
  type SessionStore,
  unauthenticated,
} from "@limiquantix/domain";
import type { Logger } from "pino";
import { hashSecret, newRefreshSecret, formatRefreshToken } from "../identity/refresh-token";
import type { SessionLiveness } from "../identity/session-liveness";
import type { AccessClaims, TokenIssuer } from "../tokens";
import type { ClusterCa, NodeCertificate } from "./cluster-ca";
import { type NodeCsr, parseNodeCsr } from "./node-csr";

/** NODE_SESSION_KIND marks the sessions of nodes (in their data), so user and node refresh tokens never pass for each other. */
export const NODE_SESSION_KIND = "node";

/** NodeCredentials are what a node agent holds: a short-lived access token and the refresh token that renews it. */
export interface NodeCredentials {
  readonly nodeId: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
  /** The node's client certificate, when it sent a certificate request. */
  readonly certificate?: NodeCertificate;
}

/** NodeCredentialOptions are the ports and lifetimes node credentials are made with. */
export interface NodeCredentialOptions {
  readonly nodes: NodeRepository;
  readonly sessions: SessionStore;
  readonly liveness: SessionLiveness;
  readonly tokens: TokenIssuer;
  readonly clock: Clock;
  readonly accessTokenTtlSec: number;
  readonly refreshTokenTtlSec: number;
  readonly logger: Logger;
  /** The cluster CA that signs node certificates; without it none are offered. */
  readonly ca?: ClusterCa;
  /** How long node certificates are valid. */
  readonly certificateDays: number;
}

const SESSION_TOKEN = /^([A-Za-z0-9_-]{16,128})\.([A-Za-z0-9_-]{43})$/;

function expiredOrRevoked() {
  return unauthenticated("node refresh token is expired or revoked: join the node again with a join token", {
    reason: "refresh-token-invalid",
  });
}

/** nodeClaims are the access-token claims of a node: it speaks for itself and holds no role. */
function nodeClaims(node: Node, sessionId: string): AccessClaims {
  return { subject: node.id, kind: "node", name: node.name, projects: [], sessionId };
}

/**
 * NodeCredentialIssuer gives nodes credentials of their own, as sign-in gives users theirs: a
 * session (a refresh-token family whose user is the node id) and access tokens of kind `node`
 * naming the node, which the `node` policy lets speak only for that node. Refresh rotates the
 * session's refresh token; a token presented twice revokes the session, and with it every access
 * token it issued, as for users. A node that sends a certificate request with either also gets a
 * client certificate from the cluster CA, tied to the same session.
 */
export class NodeCredentialIssuer {
  constructor(private readonly o: NodeCredentialOptions) {}

  /**
   * checkCsr checks a node's certificate request before anything is spent for it: FailedPrecondition
   * when this server has no cluster CA, InvalidArgument naming csr_pem when the request is bad.
   */
  checkCsr(csrPem: string): NodeCsr {
    if (!this.o.ca)
      throw failedPrecondition(
        "this server issues no node certificates: it has no cluster CA. In production mode set auth.nodeCa.certFile and auth.nodeCa.keyFile (the PEM certificate and key of the CA that signs node certificates; see docs/configuration.md), or join without csr_pem",
        { reason: "node-ca-missing" },
      );
    return parseNodeCsr(csrPem);
  }

  /** issue opens a new session for a node, ending its earlier ones, and returns its first credentials (with a certificate for csr). */
  async issue(node: Node, data: Record<string, unknown> = {}, csr?: NodeCsr): Promise<NodeCredentials> {
    // One live set of credentials per node: a node that joins again cuts off what it held before.
    await this.revokeAll(node.id);
    const secret = newRefreshSecret();
    const session = await this.o.sessions.create({
      userId: node.id,
      secretHash: secret.hash,
      ttlMs: this.o.refreshTokenTtlSec * 1000,
      data: { ...data, kind: NODE_SESSION_KIND },
    });
    try {
      return await this.credentials(node, session.id, secret.secret, new Date(session.expiresAt), csr);
    } catch (e) {
      await this.o.sessions.revoke(session.id).catch(() => false);
      throw e;
    }
  }

  /** refresh trades a node's refresh token for new credentials (with a certificate when csrPem is given); the presented one is spent. */
  async refresh(refreshToken: string, csrPem = ""): Promise<NodeCredentials> {
    // A bad request is refused before the refresh token is spent.
    const csr = csrPem ? this.checkCsr(csrPem) : undefined;
    const m = SESSION_TOKEN.exec(refreshToken);
    if (!m) throw expiredOrRevoked();
    const [sessionId, secret] = [m[1] as string, m[2] as string];
    const session = await this.o.sessions.get(sessionId);
    // A user's refresh token is never rotated here, so it cannot turn into node credentials.
    if (!session || session.data.kind !== NODE_SESSION_KIND) throw expiredOrRevoked();
    const next = newRefreshSecret();
    const rotated = await this.o.sessions.rotate(
      sessionId,
      hashSecret(secret),
      next.hash,
      this.o.refreshTokenTtlSec * 1000,
    );
    if (rotated.outcome === "reused") {
      this.o.liveness.markRevoked(sessionId);
      this.o.logger.warn(
        { sessionId, nodeId: session.userId },
        "a spent node refresh token was presented again: the node's credentials are revoked",
      );
      throw unauthenticated(
        "node refresh token was already used: the node's credentials are revoked, join it again",
        { reason: "refresh-token-reused" },
      );
    }
    if (rotated.outcome === "unknown") throw expiredOrRevoked();
    const node = await this.o.nodes.find(rotated.session.userId);
    if (!node || node.status.phase === "DECOMMISSIONED") {
      await this.o.sessions.revoke(sessionId);
      this.o.liveness.markRevoked(sessionId);
      throw unauthenticated("the node of this refresh token was deleted or decommissioned", {
        reason: "node-gone",
      });
    }
    return this.credentials(node, sessionId, next.secret, new Date(rotated.session.expiresAt), csr);
  }

  /** revokeAll ends every session of a node and says how many were live. */
  async revokeAll(nodeId: string): Promise<number> {
    const n = await this.o.sessions.revokeAllForUser(nodeId);
    this.o.liveness.revokedUser(nodeId);
    return n;
  }

  private async credentials(
    node: Node,
    sessionId: string,
    secret: string,
    refreshExpiresAt: Date,
    csr: NodeCsr | undefined,
  ): Promise<NodeCredentials> {
    const access = await this.o.tokens.sign(nodeClaims(node, sessionId), this.o.accessTokenTtlSec);
    const certificate =
      csr && this.o.ca
        ? this.o.ca.issue(csr, { nodeId: node.id, sessionId }, this.o.certificateDays, this.o.clock.now())
        : undefined;
    return {
      nodeId: node.id,
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: formatRefreshToken(sessionId, secret),
      refreshTokenExpiresAt: refreshExpiresAt,
      ...(certificate ? { certificate } : {}),
    };
  }
}
