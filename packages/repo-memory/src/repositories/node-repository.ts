import {
  isSchedulable,
  type Node,
  type NodeHeartbeat,
  type NodeInput,
  type NodePhase,
  type NodeRepository,
  type NodeStatus,
  RESOURCES,
} from "@limiquantix/domain";
import type { StoreAccess } from "../store";
import { ResourceRepository } from "./resource-repository";

/** MemoryNodeRepository stores nodes in memory, with the lookups the scheduler and node health need. */
export class MemoryNodeRepository
  extends ResourceRepository<Node, NodeInput, NodePhase>
  implements NodeRepository
{
  constructor(access: StoreAccess) {
    super(RESOURCES.Node, access);
  }

  async findByHostname(hostname: string): Promise<Node | undefined> {
    const index = this.descriptor.uniqueKeys.findIndex((k) => k.fields.join() === "spec.hostname");
    const id = this.rows().findUnique(index, JSON.stringify([hostname]));
    return id === undefined ? undefined : this.find(id);
  }

  async listSchedulable(clusterId?: string): Promise<readonly Node[]> {
    return this.scan((n) => isSchedulable(n) && (clusterId === undefined || n.clusterId === clusterId));
  }

  updateStatus(id: string, status: NodeStatus, expectedVersion?: number): Promise<Node> {
    return this.mutate(id, expectedVersion, (current) => ({ ...current, status }));
  }

  replaceStatus(node: Node, status: NodeStatus): Promise<Node> {
    return this.updateStatus(node.id, status, node.resourceVersion);
  }

  recordHeartbeat(id: string, heartbeat: NodeHeartbeat): Promise<Node> {
    return this.mutate(id, undefined, (current) => ({
      ...current,
      status: {
        ...current.status,
        lastHeartbeatAt: heartbeat.at,
        ...(heartbeat.usage === undefined ? {} : { usage: heartbeat.usage }),
        ...(heartbeat.agentVersion === undefined ? {} : { agentVersion: heartbeat.agentVersion }),
      },
    }));
  }
}
