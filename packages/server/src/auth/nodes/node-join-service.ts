import type { Node, RateLimiter, Repositories } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { NodeAgentService, NodeRegistration } from "../../compute/node-agent-service";
import type { NodeService, NodeSettings } from "../../compute/node-service";
import type { CallContext } from "../../context/call-context";
import type { JoinTokenService } from "./join-token-service";
import type { NodeCredentialIssuer, NodeCredentials } from "./node-credentials";

/** JoinedNode is what a join hands back: the registered node and its own credentials. */
export interface JoinedNode {
  readonly node: Node;
  readonly credentials: NodeCredentials;
}

/** NodeJoinParts are what joining is made of. */
export interface NodeJoinParts {
  readonly tokens: JoinTokenService;
  readonly agents: Pick<NodeAgentService, "register">;
  readonly nodes: Pick<NodeService, "delete">;
  readonly repos: Pick<Repositories, "nodes" | "clusters">;
  readonly credentials: NodeCredentialIssuer;
  /** Join attempts per source address (the limiter sign-in uses for addresses). */
  readonly perAddress: RateLimiter;
  readonly logger: Logger;
}

/**
 * NodeJoinService admits a node that presents a join token, as Kubernetes' TLS bootstrap admits a
 * kubelet: it spends one use of the token, registers the node exactly as NodeService/RegisterNode
 * does (a host already registered is registered again, keeping its node id), and gives the node
 * credentials of its own (with a client certificate when it sends a certificate request). The steps undo each other: a join that fails gives its use back and
 * removes a node it created, so a failed join spends and registers nothing.
 */
export class NodeJoinService {
  constructor(private readonly p: NodeJoinParts) {}

  /** join admits the node described by reg and settings with the presented join token. */
  async join(
    ctx: CallContext,
    joinToken: string,
    reg: NodeRegistration,
    settings: NodeSettings = {},
    csrPem = "",
  ): Promise<JoinedNode> {
    if (ctx.peer) await this.p.perAddress.enforce(`join:addr:${ctx.peer}`);
    // A certificate request that cannot be honoured is refused before the token is spent.
    const csr = csrPem ? this.p.credentials.checkCsr(csrPem) : undefined;
    const spent = await this.p.tokens.spend(joinToken, reg.clusterId);
    let created: Node | undefined;
    try {
      // A token may outlive its cluster; its nodes are then refused, not left without one.
      if (spent.clusterId) await this.p.repos.clusters.get(spent.clusterId);
      const existed = await this.p.repos.nodes.findByHostname(reg.hostname);
      const node = await this.p.agents.register(
        ctx,
        { ...reg, ...(spent.clusterId ? { clusterId: spent.clusterId } : {}) },
        settings,
      );
      if (!existed) created = node;
      const credentials = await this.p.credentials.issue(
        node,
        { joinTokenId: spent.joinToken.id, ...(ctx.peer ? { peer: ctx.peer } : {}) },
        csr,
      );
      this.p.logger.info(
        { node: node.name, nodeId: node.id, joinToken: spent.joinToken.name, peer: ctx.peer },
        "node joined",
      );
      return { node, credentials };
    } catch (e) {
      if (created)
        await this.p.nodes
          .delete(ctx, created.id)
          .catch((err: unknown) =>
            this.p.logger.error({ err, nodeId: created?.id }, "a failed join could not remove its node"),
          );
      await this.p.tokens.giveBack(spent.joinToken.id);
      throw e;
    }
  }
}
