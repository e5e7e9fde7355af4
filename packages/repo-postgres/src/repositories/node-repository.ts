import type {
  Node,
  NodeHeartbeat,
  NodeInput,
  NodePhase,
  NodeRepository,
  NodeStatus,
} from "@limiquantix/domain";
import { SqlRepository } from "./sql-repository";

/** SqlNodeRepository stores nodes; hostname and phase are generated, indexed columns. */
export class SqlNodeRepository extends SqlRepository<Node, NodeInput, NodePhase> implements NodeRepository {
  findByHostname(hostname: string): Promise<Node | undefined> {
    return this.guard(() => this.selectOne("t.hostname = $1::text", [hostname]));
  }

  listSchedulable(clusterId?: string): Promise<readonly Node[]> {
    const where =
      " WHERE t.phase = 'READY' AND NOT coalesce((t.spec ->> 'cordoned')::boolean, false) AND t.spec -> 'roles' ? 'compute'";
    return this.guard(() =>
      clusterId === undefined
        ? this.selectMany(where, [])
        : this.selectMany(`${where} AND t.cluster_id = $1::text`, [clusterId]),
    );
  }

  updateStatus(id: string, status: NodeStatus, expectedVersion?: number): Promise<Node> {
    return this.modify(id, (node) => ({ ...node, status }), expectedVersion);
  }

  replaceStatus(node: Node, status: NodeStatus): Promise<Node> {
    return this.replace(node, { ...node, status });
  }

  recordHeartbeat(id: string, heartbeat: NodeHeartbeat): Promise<Node> {
    return this.modify(id, (node) => ({
      ...node,
      status: {
        ...node.status,
        lastHeartbeatAt: heartbeat.at,
        ...(heartbeat.usage !== undefined ? { usage: heartbeat.usage } : {}),
        ...(heartbeat.agentVersion !== undefined ? { agentVersion: heartbeat.agentVersion } : {}),
      },
    }));
  }
}
