import {
  type AgentPool,
  failedPrecondition,
  type HypervisorAgent,
  type Node,
  type Repositories,
} from "@limiquantix/domain";

/**
 * AgentDirectory finds the agent of a node, connecting the pool to the node's registered
 * agent address the first time it is needed (or again after the address changed).
 */
export class AgentDirectory {
  private readonly addresses = new Map<string, string>();

  constructor(
    private readonly pool: AgentPool,
    private readonly repos: Pick<Repositories, "nodes">,
  ) {}

  /** forNode returns the agent of a node, or throws FailedPrecondition when the node has no agent address. */
  async forNode(nodeOrId: Node | string): Promise<HypervisorAgent> {
    const node = typeof nodeOrId === "string" ? await this.repos.nodes.get(nodeOrId) : nodeOrId;
    const address = node.spec.agentAddress;
    if (!address)
      throw failedPrecondition(`node "${node.name}" has no agent address; its agent must register first`, {
        resource: { kind: "Node", id: node.id, name: node.name },
      });
    if (!this.pool.has(node.id) || this.addresses.get(node.id) !== address) {
      await this.pool.connect({ nodeId: node.id, address, serverName: node.spec.hostname });
      this.addresses.set(node.id, address);
    }
    return this.pool.agent(node.id);
  }

  /** endpointOf returns how another agent reaches this node's agent (for migrations). */
  async endpointOf(nodeId: string): Promise<{ nodeId: string; address: string; serverName: string }> {
    const node = await this.repos.nodes.get(nodeId);
    // Connecting first makes sure the target's agent is known to the pool and reachable.
    await this.forNode(node);
    if (!node.spec.agentAddress)
      throw failedPrecondition(`node "${node.name}" has no agent address`, {
        resource: { kind: "Node", id: nodeId },
      });
    return { nodeId, address: node.spec.agentAddress, serverName: node.spec.hostname };
  }

  /** forget drops a node's connection (after it is decommissioned). */
  async forget(nodeId: string): Promise<void> {
    this.addresses.delete(nodeId);
    if (this.pool.has(nodeId)) await this.pool.disconnect(nodeId);
  }
}
