import {
  type CpuTopology,
  ErrorCode,
  isDomainError,
  type Node,
  type NodeLiveness,
  type NodeUsage,
  type PowerState,
  failedPrecondition,
  logicalCpus,
  nowIso,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";
import { UNKNOWN_TO_AGENT_OK } from "../controllers/reconciler";
import type { NodeService, NodeSettings } from "./node-service";
import type { StrayVmSweeper } from "./stray-vm-sweeper";
import type { VmService } from "./vm-service";

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

/** VmObservation is one VM as a node's agent last saw it. */
export interface VmObservation {
  readonly vmId: string;
  readonly powerState?: PowerState;
  readonly ipAddresses: readonly string[];
}

/** NodeHeartbeatReport is what an agent's periodic heartbeat carries. */
export interface NodeHeartbeatReport {
  readonly usage?: NodeUsage;
  readonly agentVersion?: string;
  /** vms are the VMs the agent runs, as it sees them. */
  readonly vms?: readonly VmObservation[];
}

function hostToName(hostname: string): string {
  const first = hostname
    .split(".")[0]!
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/^-+|-+$/g, "");
  return first.slice(0, 63) || "node";
}

/**
 * HeartbeatStorage says when a heartbeat is stored with the node (a durable write and a change
 * every watcher sees) rather than only recorded as a beat in the liveness record.
 */
export interface HeartbeatStorage {
  /** Where beats are recorded; without it every heartbeat is stored. */
  readonly liveness?: NodeLiveness;
  /** A READY node's heartbeat is stored at least this often (ms), and whenever what it reports changed. */
  readonly statusWriteIntervalMs: number;
  /** Told when a beat could not be recorded in the liveness record (it is stored instead). */
  readonly onBeatFailed?: (error: unknown) => void;
}

/** Usage changes smaller than these (CPU points, share of the node's memory) wait for the next periodic store. */
const CPU_POINTS_WORTH_STORING = 2;
const MEMORY_SHARE_WORTH_STORING = 0.02;

/** AgentReportSink is told what agents' reports imply for the reconciler (the reconciler itself in the server). */
export interface AgentReportSink {
  /** agentRegistered re-checks the VMs of a node whose agent (re)registered. */
  agentRegistered(nodeId: string): void;
  /** enqueue asks for one VM to be reconciled soon. */
  enqueue(vmId: string): void;
}

/**
 * NodeAgentService records what node agents report: registration (a node is created, or updated
 * when its agent registers again), and heartbeats with usage and the VMs the agent runs. A VM an
 * agent holds that the control plane places elsewhere (HA restarted it there while the node was
 * fenced) or has deleted is removed from that agent, and its report never touches the VM's status.
 */
export class NodeAgentService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly nodes: NodeService,
    private readonly vms: VmService,
    private readonly reconciler: AgentReportSink,
    private readonly strays?: Pick<StrayVmSweeper, "sweepReported" | "sweepNode">,
    private readonly storage: HeartbeatStorage = { statusWriteIntervalMs: 0 },
  ) {}

  /**
   * register creates the node of a hostname, or updates it when the agent registers again; the
   * node becomes READY, with the operator settings given beside the registration.
   */
  async register(ctx: CallContext, reg: NodeRegistration, settings: NodeSettings = {}): Promise<Node> {
    const registered = await this.record(reg);
    // Operator settings given with the registration (roles, taints, a reservation …) apply at once.
    return Object.keys(settings).length > 0 ? this.nodes.update(ctx, registered.id, settings) : registered;
  }

  /** record stores what the agent declared, creating the node or refreshing it. */
  private async record(reg: NodeRegistration): Promise<Node> {
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
          spec: {
            ...n.spec,
            managementIp: reg.managementIp,
            agentAddress: reg.agentAddress,
            cpu: reg.cpu,
            memoryMib: reg.memoryMib,
          },
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
      this.reconciler.agentRegistered(updated.id);
      // An agent that registers again may bring back VMs that moved or were deleted while it was away.
      this.strays?.sweepNode(updated.id);
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
    return created;
  }

  /**
   * heartbeat records a node's liveness and usage; a NOT_READY (or fenced, FAILED) node that beats
   * again becomes READY. A READY node's beat goes to the liveness record only, and is stored with
   * the node when its usage or agent version changed, or the last stored one is older than the
   * status write interval, so a beat every second costs no durable write.
   */
  async heartbeat(ctx: CallContext, id: string, report: NodeHeartbeatReport = {}): Promise<Node> {
    const atMs = this.deps.clock.now().getTime();
    const at = new Date(atMs).toISOString();
    const { vms, ...beat } = report;
    // The beat is recorded before anything waits on the database, so a busy store (a queue of
    // writes ahead of this one) never makes a live node look silent.
    const live = await this.recordBeat(id, atMs);
    let node: Node;
    try {
      // From this replica's copy where it has one (as of every committed write): no row read per beat.
      node = await this.nodes.get(ctx, id);
    } catch (e) {
      if (live && isDomainError(e) && e.code === ErrorCode.NotFound)
        await this.storage.liveness?.forget(id).catch(() => undefined);
      throw e;
    }
    if (!live || this.worthStoring(node, beat, atMs))
      node = await this.deps.repos.nodes.recordHeartbeat(id, { at, ...beat });
    // A FAILED node was fenced (powered off) and is back; a FENCING one stays until it is fenced.
    if (
      node.status.phase === "NOT_READY" ||
      node.status.phase === "PENDING" ||
      node.status.phase === "FAILED"
    )
      node = await this.nodes.setPhase(ctx, id, "READY");
    if (vms) await this.recordObservations(ctx, id, vms);
    return node;
  }

  /** recordBeat writes the beat to the liveness record, and says whether it could. */
  private async recordBeat(id: string, atMs: number): Promise<boolean> {
    const { liveness, statusWriteIntervalMs } = this.storage;
    if (!liveness || statusWriteIntervalMs <= 0) return false;
    try {
      await liveness.beat(id, atMs);
      return true;
    } catch (e) {
      this.storage.onBeatFailed?.(e);
      return false;
    }
  }

  /** worthStoring says whether this beat must be stored with the node, not only recorded as a beat. */
  private worthStoring(n: Node, beat: Omit<NodeHeartbeatReport, "vms">, atMs: number): boolean {
    if (n.status.phase !== "READY" && n.status.phase !== "MAINTENANCE") return true;
    const last = n.status.lastHeartbeatAt ? Date.parse(n.status.lastHeartbeatAt) : Number.NaN;
    if (!(atMs - last < this.storage.statusWriteIntervalMs)) return true;
    if (beat.agentVersion !== undefined && beat.agentVersion !== n.status.agentVersion) return true;
    if (!beat.usage) return false;
    const before = n.status.usage;
    if (!before) return true;
    return (
      Math.abs(before.cpuPercent - beat.usage.cpuPercent) >= CPU_POINTS_WORTH_STORING ||
      Math.abs(before.memoryUsedMib - beat.usage.memoryUsedMib) >=
        Math.max(1, n.spec.memoryMib * MEMORY_SHARE_WORTH_STORING)
    );
  }

  /**
   * recordObservations updates the status of the VMs a node's agent reports, when they changed,
   * and has the reconciler look at once at any VM placed there that the agent does not report
   * while its status claims it runs. VMs migrating are skipped: their status belongs to the move.
   * Only VMs placed on the node are recorded (a VM that moved meanwhile is left alone); the others
   * it reports are removed from its agent.
   */
  private async recordObservations(
    ctx: CallContext,
    nodeId: string,
    observations: readonly VmObservation[],
  ): Promise<void> {
    const reported = new Map(observations.map((o) => [o.vmId, o]));
    const placed = await this.deps.repos.vms.listByNode(nodeId);
    const placedIds = new Set(placed.map((v) => v.id));
    this.strays?.sweepReported(
      nodeId,
      [...reported.keys()].filter((id) => !placedIds.has(id)),
    );
    for (const vm of placed) {
      if (vm.status.migration) continue;
      const o = reported.get(vm.id);
      if (!o) {
        if (!UNKNOWN_TO_AGENT_OK.has(vm.status.powerState)) this.reconciler.enqueue(vm.id);
        continue;
      }
      const powerState = o.powerState ?? vm.status.powerState;
      const sameIps =
        o.ipAddresses.length === vm.status.ipAddresses.length &&
        o.ipAddresses.every((ip, i) => vm.status.ipAddresses[i] === ip);
      if (powerState === vm.status.powerState && sameIps) continue;
      const at = this.deps.clock.now().toISOString();
      await this.vms.patchStatus(ctx, vm.id, (v) =>
        // Moved off this node (or onto a migration) since it was listed: this report is not its status.
        v.status.nodeId !== nodeId || v.status.migration
          ? undefined
          : {
              ...v.status,
              powerState,
              ipAddresses: [...o.ipAddresses],
              ...(powerState !== v.status.powerState ? { lastTransitionAt: at } : {}),
            },
      );
    }
  }
}
