import {
  type CpuTopology,
  type ListFilter,
  type NodePhase,
  type Page,
  type PageRequest,
  type Node,
  type NodeUsage,
  type Taint,
  Taint as TaintSchema,
  Labels,
  NODE_MACHINE,
  assertTransition,
  failedPrecondition,
  logicalCpus,
  nowIso,
  parseOrThrow,
} from "@limiquantix/domain";
import type { AgentDirectory } from "./agent-directory";
import { publishChange } from "../shared/change-events";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** NodeRegistration is what an agent tells the control plane when it (re)registers. */
export interface NodeRegistration {
  readonly name?: string;
  readonly hostname: string;
  readonly managementIp: string;
  readonly agentAddress: string;
  readonly cpu: CpuTopology;
  readonly memoryMib: number;
  readonly labels?: Record<string, string>;
  readonly agentVersion?: string;
  readonly clusterId?: string;
}

/** NodeHeartbeatReport is what an agent's periodic heartbeat carries. */
export interface NodeHeartbeatReport {
  readonly usage?: NodeUsage;
  readonly agentVersion?: string;
}

function hostToName(hostname: string): string {
  const first = hostname.split(".")[0]!.toLowerCase().replace(/[^a-z0-9-]/g, "-").replace(/^-+|-+$/g, "");
  return first.slice(0, 63) || "node";
}

/** NodeService registers nodes, records heartbeats, and carries out operators' node operations. */
export class NodeService {
  constructor(
    private readonly deps: ServiceDeps,
    /** Where a decommissioned node's agent connection is dropped. */
    private readonly agents?: Pick<AgentDirectory, "forget">,
  ) {}

  /** get returns a node or throws NotFound. */
  get(id: string): Promise<Node> {
    return this.deps.repos.nodes.get(id);
  }

  /** list returns one page of nodes. */
  list(filter?: ListFilter<NodePhase>, page?: PageRequest): Promise<Page<Node>> {
    return this.deps.repos.nodes.list(filter, page);
  }

  /** register creates the node of a hostname, or updates it when the agent registers again; the node becomes READY. */
  async register(reg: NodeRegistration): Promise<Node> {
    const { repos } = this.deps;
    const now = nowIso(this.deps.clock);
    const allocatable = { vcpus: logicalCpus(reg.cpu), memoryMib: reg.memoryMib };
    const existing = await repos.nodes.findByHostname(reg.hostname);
    if (existing) {
      const updated = await readModifyWrite(repos.nodes, existing.id, (n) => {
        if (n.status.phase === "DECOMMISSIONED")
          throw failedPrecondition(`node "${n.name}" was decommissioned; register it under a new hostname`);
        const phase: Node["status"]["phase"] = n.status.phase === "MAINTENANCE" ? "MAINTENANCE" : "READY";
        return {
          ...n,
          labels: { ...n.labels, ...(reg.labels ?? {}) },
          spec: { ...n.spec, managementIp: reg.managementIp, agentAddress: reg.agentAddress, cpu: reg.cpu, memoryMib: reg.memoryMib },
          status: {
            ...n.status,
            phase,
            allocatable: {
              vcpus: Math.max(0, allocatable.vcpus - n.spec.reserved.vcpus),
              memoryMib: Math.max(0, allocatable.memoryMib - n.spec.reserved.memoryMib),
            },
            lastHeartbeatAt: now,
            ...(reg.agentVersion ? { agentVersion: reg.agentVersion } : {}),
          },
        };
      });
      await publishChange(this.deps, "Node", "MODIFIED", updated);
      return updated;
    }
    const clusterId = reg.clusterId ?? (await repos.clusters.findByName("default"))?.id;
    const created = await repos.nodes.create({
      id: this.deps.ids.next(),
      name: reg.name ?? hostToName(reg.hostname),
      labels: reg.labels ?? {},
      ...(clusterId ? { clusterId } : {}),
      spec: {
        hostname: reg.hostname,
        managementIp: reg.managementIp,
        agentAddress: reg.agentAddress,
        cpu: reg.cpu,
        memoryMib: reg.memoryMib,
      },
      status: {
        phase: "READY",
        allocatable,
        lastHeartbeatAt: now,
        ...(reg.agentVersion ? { agentVersion: reg.agentVersion } : {}),
      },
    });
    await publishChange(this.deps, "Node", "ADDED", created);
    return created;
  }

  /** heartbeat records a node's liveness and usage; a NOT_READY node that beats again becomes READY. */
  async heartbeat(id: string, report: NodeHeartbeatReport = {}): Promise<Node> {
    const at = nowIso(this.deps.clock);
    let node = await this.deps.repos.nodes.recordHeartbeat(id, { at, ...report });
    if (node.status.phase === "NOT_READY" || node.status.phase === "PENDING") {
      node = await this.setPhase(id, "READY");
    } else await publishChange(this.deps, "Node", "MODIFIED", node);
    return node;
  }

  /** setPhase moves a node to another phase if its lifecycle allows it. */
  async setPhase(id: string, phase: Node["status"]["phase"], message = ""): Promise<Node> {
    const updated = await readModifyWrite(this.deps.repos.nodes, id, (n) => {
      assertTransition(NODE_MACHINE, n.status.phase, phase);
      return { ...n, status: { ...n.status, phase, message } };
    });
    await publishChange(this.deps, "Node", "MODIFIED", updated);
    return updated;
  }

  /** cordon stops new VMs from being placed on a node; its VMs keep running. */
  cordon(id: string, cordoned = true): Promise<Node> {
    return this.change(id, (n) => ({ ...n, spec: { ...n.spec, cordoned } }));
  }

  /** addTaint adds (or replaces, by key and effect) a taint. */
  addTaint(id: string, taint: Taint): Promise<Node> {
    const t = parseOrThrow(TaintSchema, taint, "taint");
    return this.change(id, (n) => ({
      ...n,
      spec: { ...n.spec, taints: [...n.spec.taints.filter((x) => !(x.key === t.key && x.effect === t.effect)), t] },
    }));
  }

  /** removeTaint removes the taints with this key (and effect, when given); removing an absent taint is FailedPrecondition. */
  removeTaint(id: string, key: string, effect?: Taint["effect"]): Promise<Node> {
    return this.change(id, (n) => {
      const kept = n.spec.taints.filter((x) => !(x.key === key && (effect === undefined || x.effect === effect)));
      if (kept.length === n.spec.taints.length) throw failedPrecondition(`node "${n.name}" has no taint ${key}`);
      return { ...n, spec: { ...n.spec, taints: kept } };
    });
  }

  /** update replaces a node's labels (and reservation), checking expectedVersion when given. */
  update(id: string, patch: { labels?: Record<string, string> }, expectedVersion?: number): Promise<Node> {
    const labels = patch.labels ? parseOrThrow(Labels, patch.labels, undefined, ["labels"]) : undefined;
    return this.change(id, (n) => ({ ...n, labels: labels ?? n.labels }), expectedVersion);
  }

  /** decommission retires an empty node for good. */
  async decommission(id: string): Promise<Node> {
    const vms = await this.deps.repos.vms.listByNode(id);
    if (vms.length > 0)
      throw failedPrecondition(`node still holds ${vms.length} VM(s); drain it before decommissioning`, {
        vms: vms.map((v) => v.name),
      });
    const node = await this.setPhase(id, "DECOMMISSIONED");
    await this.agents?.forget(id);
    return node;
  }

  private async change(id: string, fn: (n: Node) => Node, expectedVersion?: number): Promise<Node> {
    const updated = await readModifyWrite(this.deps.repos.nodes, id, fn, expectedVersion);
    await publishChange(this.deps, "Node", "MODIFIED", updated);
    return updated;
  }
}
