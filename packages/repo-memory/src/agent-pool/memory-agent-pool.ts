import {
  type AgentEndpoint,
  type AgentNodeInfo,
  type AgentPool,
  type Clock,
  type HypervisorAgent,
  invalidArgument,
  notFound,
  systemClock,
} from "@limiquantix/domain";
import { MemoryAgent } from "./memory-agent";

/** MemoryAgentPoolOptions configure a MemoryAgentPool. */
export interface MemoryAgentPoolOptions {
  readonly clock?: Clock;
  /** What each simulated host reports; by default 2×8×2 CPUs and 64 GiB. */
  readonly nodeInfo?: (endpoint: AgentEndpoint) => Partial<Omit<AgentNodeInfo, "nodeId">>;
}

/**
 * MemoryAgentPool is an in-process AgentPool of fake hypervisors, for tests and `--dev`. Each
 * node's simulated host keeps its VMs across disconnects (as a real host would); only a
 * connected node's agent can be reached.
 */
export class MemoryAgentPool implements AgentPool {
  private readonly hosts = new Map<string, MemoryAgent>();
  private readonly connected = new Set<string>();
  private readonly clock: Clock;

  constructor(private readonly options: MemoryAgentPoolOptions = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async connect(endpoint: AgentEndpoint): Promise<void> {
    if (typeof endpoint?.nodeId !== "string" || endpoint.nodeId === "")
      throw invalidArgument([{ field: "nodeId", description: "must be a non-empty string" }]);
    if (typeof endpoint.address !== "string" || !/^[^\s:]+:\d{1,5}$/.test(endpoint.address))
      throw invalidArgument([
        { field: "address", description: `must be host:port (got ${JSON.stringify(endpoint.address)})` },
      ]);
    const info = this.infoOf(endpoint);
    const host = this.hosts.get(endpoint.nodeId);
    if (host) host.repoint(info);
    else
      this.hosts.set(
        endpoint.nodeId,
        new MemoryAgent(endpoint.nodeId, info, this.clock, (id) => this.host(id)),
      );
    this.connected.add(endpoint.nodeId);
  }

  agent(nodeId: string): HypervisorAgent {
    return this.host(nodeId);
  }

  /** host returns the simulated host of a connected node, with its fault-injection controls. */
  host(nodeId: string): MemoryAgent {
    const host = this.hosts.get(nodeId);
    if (!host || !this.connected.has(nodeId)) throw notFound("agent of node", nodeId);
    return host;
  }

  has(nodeId: string): boolean {
    return this.connected.has(nodeId);
  }

  async disconnect(nodeId: string): Promise<void> {
    this.connected.delete(nodeId);
  }

  async close(): Promise<void> {
    this.connected.clear();
  }

  private infoOf(endpoint: AgentEndpoint): AgentNodeInfo {
    const host = endpoint.address.slice(0, endpoint.address.lastIndexOf(":"));
    return {
      nodeId: endpoint.nodeId,
      hostname: `${endpoint.nodeId}.sim`,
      managementIp: host,
      cpu: { sockets: 2, coresPerSocket: 8, threadsPerCore: 2 },
      memoryMib: 65_536,
      agentVersion: "memory",
      hypervisor: "memory/1",
      ...this.options.nodeInfo?.(endpoint),
    };
  }
}
