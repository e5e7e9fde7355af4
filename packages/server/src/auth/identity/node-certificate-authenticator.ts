import type { X509Certificate } from "node:crypto";
import { type NodeRepository, unauthenticated } from "@limiquantix/domain";
import type { Principal } from "../../context/call-context";
import type { ClusterCa } from "../nodes/cluster-ca";
import type { SessionLiveness } from "./session-liveness";

/**
 * NodeCertificateAuthenticator tells which node a TLS client certificate speaks for: one the
 * cluster CA issued for a node (see ClusterCa.nodeOf) is that node, as long as the node exists,
 * is not decommissioned, and the session the certificate was issued under is live (so revoking
 * a node's credentials stops its certificates too, within the session-check interval). Any other
 * certificate speaks for nobody: the call is anonymous, as if it had presented none.
 */
export class NodeCertificateAuthenticator {
  /** Certificates seen before, by fingerprint: a signature and the node are checked once per certificate. */
  private readonly known = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly ca: ClusterCa,
    private readonly liveness: SessionLiveness,
    private readonly nodes: Pick<NodeRepository, "find">,
    private readonly now: () => number = Date.now,
    private readonly maxRemembered = 10_000,
  ) {}

  /** authenticate returns the node principal of a certificate, undefined for one that is not a node's, or throws Unauthenticated for a revoked one. */
  async authenticate(cert: X509Certificate): Promise<Principal | undefined> {
    const principal = await this.principalOf(cert);
    if (!principal) return undefined;
    if (principal.sessionId && !(await this.liveness.isLive(principal.sessionId)))
      throw unauthenticated(
        "this node certificate was revoked (the node joined again, or was deleted or decommissioned): join the node again",
        { reason: "session-ended" },
      );
    return principal;
  }

  private async principalOf(cert: X509Certificate): Promise<Principal | undefined> {
    const now = this.now();
    const hit = this.known.get(cert.fingerprint256);
    if (hit && hit.expiresAt > now) return hit.principal;
    const certified = this.ca.nodeOf(cert, now);
    if (!certified) return undefined;
    const node = await this.nodes.find(certified.nodeId);
    if (!node || node.status.phase === "DECOMMISSIONED")
      throw unauthenticated("the node of this certificate was deleted or decommissioned: join it again", {
        reason: "node-gone",
      });
    const principal: Principal = {
      kind: "node",
      id: node.id,
      name: node.name,
      projects: [],
      sessionId: certified.sessionId,
    };
    if (this.known.size >= this.maxRemembered) this.known.clear();
    this.known.set(cert.fingerprint256, { principal, expiresAt: certified.expiresAt.getTime() });
    return principal;
  }
}
