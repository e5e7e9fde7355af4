import {
  type ListFilter,
  type NodePhase,
  type Page,
  type PageRequest,
  type Node,
  type NodeLiveness,
  type NodeRole,
  type ResourceAmounts,
  type Taint,
  Taint as TaintSchema,
  Labels,
  NODE_MACHINE,
  assertTransition,
  failedPrecondition,
  logicalCpus,
  parseOrThrow,
} from "@limiquantix/domain";
import { z } from "zod";
import type { CallContext } from "../context/call-context";
import type { ResourceCache } from "../events/resource-cache";
import type { AgentDirectory } from "./agent-directory";
import { ISOLATION_CONDITION } from "../ha/isolation-check";
import { markFenced } from "../ha/node-fencing";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** NodeSettings are what operators may change on a node; the rest of its spec is declared by its agent. */
export interface NodeSettings {
  readonly labels?: Record<string, string>;
  readonly clusterId?: string;
  readonly roles?: readonly NodeRole[];
  readonly taints?: readonly Taint[];
  readonly reserved?: ResourceAmounts;
  readonly cordoned?: boolean;
}

/**
 * NodeCredentialRevoker ends every credential a node holds (its sessions, and with them its
 * refresh and access tokens and certificates). The identity area binds it; compute only calls it,
 * so neither depends on the other's classes.
 */
export interface NodeCredentialRevoker {
  /** revokeAll ends the node's sessions and says how many were live. */
  revokeAll(nodeId: string): Promise<number>;
}

/** NodeMetricsSample is a node's latest usage as its agent reported it. */
export interface NodeMetricsSample {
  readonly nodeId: string;
  readonly cpuPercent: number;
  readonly memoryUsedMib: number;
  readonly memoryTotalMib: number;
  readonly vmCount: number;
  readonly sampledAt: string;
}

/**
 * NodeService carries out operators' node operations: reading, settings, cordon and taints,
 * phases, metrics, deleting an empty node and decommissioning one. What agents report
 * (registration, heartbeats) is NodeAgentService's.
 */
export class NodeService {
  constructor(
    private readonly deps: ServiceDeps,
    /** Where a decommissioned node's agent connection is dropped. */
    private readonly agents?: Pick<AgentDirectory, "forget">,
    /** Where reads are served from when given: this replica's copy, as of every committed write. */
    private readonly reads?: Pick<ResourceCache, "node" | "nodes">,
    /** What ends a deleted or decommissioned node's credentials, when nodes have any. */
    private readonly credentials?: NodeCredentialRevoker,
    /** Where the beats of a deleted node are forgotten. */
    private readonly liveness?: Pick<NodeLiveness, "forget">,
  ) {}

  /** get returns a node or throws NotFound. */
  get(_ctx: CallContext, id: string): Promise<Node> {
    return this.reads ? this.reads.node(id) : this.deps.repos.nodes.get(id);
  }

  /** list returns one page of nodes. */
  list(_ctx: CallContext, filter?: ListFilter<NodePhase>, page?: PageRequest): Promise<Page<Node>> {
    return this.reads ? this.reads.nodes(filter, page) : this.deps.repos.nodes.list(filter, page);
  }

  /** setPhase moves a node to another phase if its lifecycle allows it. */
  async setPhase(_ctx: CallContext, id: string, phase: Node["status"]["phase"], message = ""): Promise<Node> {
    const updated = await readModifyWrite(this.deps.repos.nodes, id, (n) => {
      assertTransition(NODE_MACHINE, n.status.phase, phase);
      // Beating again: what the isolation check noted while it did not is over.
      const conditions =
        phase === "READY"
          ? n.status.conditions.filter((c) => c.type !== ISOLATION_CONDITION)
          : n.status.conditions;
      return { ...n, status: { ...n.status, phase, message, conditions } };
    });
    return updated;
  }

  /**
   * confirmFenced records an operator's word that a node which stopped beating (NOT_READY or
   * FENCING) is off — powered down, or cut from storage and network — so it becomes FAILED with a
   * Fenced condition naming who confirmed it, and HA restarts its VMs elsewhere. A node that is
   * still beating (or already FAILED) is FailedPrecondition: confirming it could run a VM twice.
   */
  async confirmFenced(ctx: CallContext, id: string, comment = ""): Promise<Node> {
    const node = await this.deps.repos.nodes.get(id);
    if (node.status.phase !== "NOT_READY" && node.status.phase !== "FENCING")
      throw failedPrecondition(
        `node "${node.name}" is ${node.status.phase}; only a NOT_READY or FENCING node (one whose heartbeats stopped) can be confirmed fenced`,
        { resource: { kind: "Node", id, name: node.name } },
      );
    const who = ctx.principal.name || ctx.principal.id;
    return markFenced(
      this.deps,
      id,
      "ConfirmedByOperator",
      `${who} confirmed the node is fenced${comment ? `: ${comment}` : ""}`,
      this.deps.clock.now().toISOString(),
    );
  }

  /**
   * cordon stops new VMs from being placed on a node; its VMs keep running. Uncordoning a node in
   * MAINTENANCE (after a drain) makes it READY again, so it takes VMs once more.
   */
  cordon(_ctx: CallContext, id: string, cordoned = true): Promise<Node> {
    return this.change(id, (n) => {
      const back = !cordoned && n.status.phase === "MAINTENANCE";
      if (back) assertTransition(NODE_MACHINE, n.status.phase, "READY");
      return {
        ...n,
        spec: { ...n.spec, cordoned },
        ...(back ? { status: { ...n.status, phase: "READY" as const, message: "uncordoned" } } : {}),
      };
    });
  }

  /** addTaint adds (or replaces, by key and effect) a taint. */
  addTaint(_ctx: CallContext, id: string, taint: Taint): Promise<Node> {
    const t = parseOrThrow(TaintSchema, taint, "taint");
    return this.change(id, (n) => ({
      ...n,
      spec: {
        ...n.spec,
        taints: [...n.spec.taints.filter((x) => !(x.key === t.key && x.effect === t.effect)), t],
      },
    }));
  }

  /** removeTaint removes the taints with this key (and effect, when given); removing an absent taint is FailedPrecondition. */
  removeTaint(_ctx: CallContext, id: string, key: string, effect?: Taint["effect"]): Promise<Node> {
    return this.change(id, (n) => {
      const kept = n.spec.taints.filter(
        (x) => !(x.key === key && (effect === undefined || x.effect === effect)),
      );
      if (kept.length === n.spec.taints.length)
        throw failedPrecondition(`node "${n.name}" has no taint ${key}`);
      return { ...n, spec: { ...n.spec, taints: kept } };
    });
  }

  /** update applies operator settings (checking expectedVersion when given); a new reservation changes what the node offers. */
  async update(
    _ctx: CallContext,
    id: string,
    settings: NodeSettings,
    expectedVersion?: number,
  ): Promise<Node> {
    if (settings.labels) parseOrThrow(Labels, settings.labels, undefined, ["labels"]);
    const taints = settings.taints
      ? parseOrThrow(z.array(TaintSchema), settings.taints, undefined, ["spec", "taints"])
      : undefined;
    if (settings.clusterId !== undefined) await this.deps.repos.clusters.get(settings.clusterId);
    const updated = await readModifyWrite(
      this.deps.repos.nodes,
      id,
      (n) => {
        const reserved = settings.reserved ?? n.spec.reserved;
        return {
          ...n,
          labels: settings.labels ?? n.labels,
          ...(settings.clusterId !== undefined ? { clusterId: settings.clusterId } : {}),
          spec: {
            ...n.spec,
            roles: settings.roles ? [...settings.roles] : n.spec.roles,
            taints: taints ?? n.spec.taints,
            reserved,
            cordoned: settings.cordoned ?? n.spec.cordoned,
          },
          status: {
            ...n.status,
            allocatable: {
              vcpus: Math.max(0, logicalCpus(n.spec.cpu) - reserved.vcpus),
              memoryMib: Math.max(0, n.spec.memoryMib - reserved.memoryMib),
            },
          },
        };
      },
      expectedVersion,
    );
    return updated;
  }

  /** delete removes a node that holds no VMs (checking expectedVersion when given) and revokes its credentials. */
  async delete(_ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const node = await this.deps.repos.nodes.get(id);
    const held = await this.deps.repos.vms.count({ nodeId: id });
    if (held > 0)
      throw failedPrecondition(`node "${node.name}" still holds ${held} VM(s); drain it before deleting it`, {
        resource: { kind: "Node", id, name: node.name },
      });
    await this.deps.repos.nodes.delete(id, expectedVersion ?? node.resourceVersion);
    await this.revokeCredentials(id);
    // A leftover beat is harmless (only stored nodes are checked); forgetting it keeps the record small.
    await this.liveness
      ?.forget(id)
      .catch((e: unknown) =>
        this.deps.logger.warn({ err: e, node: id }, "could not forget a deleted node's beats"),
      );
  }

  /** metrics returns the latest usage a node reported; a node that has not reported any yet is FailedPrecondition. */
  async metrics(_ctx: CallContext, id: string): Promise<NodeMetricsSample> {
    const n = await this.deps.repos.nodes.get(id);
    if (!n.status.usage || !n.status.lastHeartbeatAt)
      throw failedPrecondition(
        `node "${n.name}" has not reported usage yet; its agent sends it with each heartbeat`,
      );
    return {
      nodeId: n.id,
      cpuPercent: n.status.usage.cpuPercent,
      memoryUsedMib: n.status.usage.memoryUsedMib,
      memoryTotalMib: n.spec.memoryMib,
      vmCount: n.status.allocated.vmCount,
      sampledAt: n.status.lastHeartbeatAt,
    };
  }

  /** decommission retires an empty node for good and revokes its credentials. */
  async decommission(ctx: CallContext, id: string): Promise<Node> {
    const vms = await this.deps.repos.vms.listByNode(id);
    if (vms.length > 0)
      throw failedPrecondition(`node still holds ${vms.length} VM(s); drain it before decommissioning`, {
        vms: vms.map((v) => v.name),
      });
    const node = await this.setPhase(ctx, id, "DECOMMISSIONED");
    await this.agents?.forget(id);
    await this.revokeCredentials(id);
    return node;
  }

  /**
   * revokeCredentials ends a retired node's sessions. The node is already gone or decommissioned,
   * so a failure is logged rather than reported: refreshing is refused for such a node anyway,
   * and its access tokens expire on their own.
   */
  private async revokeCredentials(id: string): Promise<void> {
    if (!this.credentials) return;
    try {
      await this.credentials.revokeAll(id);
    } catch (err) {
      this.deps.logger.warn({ err, nodeId: id }, "a retired node's credentials could not be revoked");
    }
  }

  private async change(id: string, fn: (n: Node) => Node, expectedVersion?: number): Promise<Node> {
    const updated = await readModifyWrite(this.deps.repos.nodes, id, fn, expectedVersion);
    return updated;
  }
}
