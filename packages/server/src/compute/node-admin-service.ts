import {
  type Node,
  type NodeRole,
  type PowerState,
  type ResourceAmounts,
  type Taint,
  Labels,
  Taint as TaintSchema,
  failedPrecondition,
  logicalCpus,
  parseOrThrow,
} from "@limiquantix/domain";
import { z } from "zod";
import { publishChange } from "../shared/change-events";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";
import type { VmService } from "./vm-service";

/** NodeSettings are what operators may change on a node; the rest of its spec is declared by its agent. */
export interface NodeSettings {
  readonly labels?: Record<string, string>;
  readonly clusterId?: string;
  readonly roles?: readonly NodeRole[];
  readonly taints?: readonly Taint[];
  readonly reserved?: ResourceAmounts;
  readonly cordoned?: boolean;
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

/** VmObservation is one VM as a node's agent last saw it. */
export interface VmObservation {
  readonly vmId: string;
  readonly powerState?: PowerState;
  readonly ipAddresses: readonly string[];
}

/**
 * NodeAdminService holds the node operations beyond registration and cordoning: changing operator
 * settings, deleting an empty node, reading its latest metrics, and recording the VMs its agent
 * reports in a heartbeat.
 */
export class NodeAdminService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly vms: VmService,
  ) {}

  /** update applies operator settings (checking expectedVersion when given); a new reservation changes what the node offers. */
  async update(id: string, settings: NodeSettings, expectedVersion?: number): Promise<Node> {
    if (settings.labels) parseOrThrow(Labels, settings.labels, undefined, ["labels"]);
    const taints = settings.taints ? parseOrThrow(z.array(TaintSchema), settings.taints, undefined, ["spec", "taints"]) : undefined;
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
    await publishChange(this.deps, "Node", "MODIFIED", updated);
    return updated;
  }

  /** delete removes a node that holds no VMs (checking expectedVersion when given). */
  async delete(id: string, expectedVersion?: number): Promise<void> {
    const node = await this.deps.repos.nodes.get(id);
    const held = await this.deps.repos.vms.count({ nodeId: id });
    if (held > 0)
      throw failedPrecondition(`node "${node.name}" still holds ${held} VM(s); drain it before deleting it`, {
        resource: { kind: "Node", id, name: node.name },
      });
    await this.deps.repos.nodes.delete(id, expectedVersion ?? node.resourceVersion);
    await publishChange(this.deps, "Node", "DELETED", node);
  }

  /** metrics returns the latest usage a node reported; a node that has not reported any yet is FailedPrecondition. */
  async metrics(id: string): Promise<NodeMetricsSample> {
    const n = await this.deps.repos.nodes.get(id);
    if (!n.status.usage || !n.status.lastHeartbeatAt)
      throw failedPrecondition(`node "${n.name}" has not reported usage yet; its agent sends it with each heartbeat`);
    return {
      nodeId: n.id,
      cpuPercent: n.status.usage.cpuPercent,
      memoryUsedMib: n.status.usage.memoryUsedMib,
      memoryTotalMib: n.spec.memoryMib,
      vmCount: n.status.allocated.vmCount,
      sampledAt: n.status.lastHeartbeatAt,
    };
  }

  /**
   * recordObservations updates the status of the VMs a node's agent reports, when they changed.
   * VMs placed elsewhere or migrating are skipped: their status belongs to the move.
   */
  async recordObservations(nodeId: string, observations: readonly VmObservation[]): Promise<void> {
    for (const o of observations) {
      const vm = await this.deps.repos.vms.find(o.vmId);
      if (!vm || vm.status.nodeId !== nodeId || vm.status.migration) continue;
      const powerState = o.powerState ?? vm.status.powerState;
      const sameIps = o.ipAddresses.length === vm.status.ipAddresses.length && o.ipAddresses.every((ip, i) => vm.status.ipAddresses[i] === ip);
      if (powerState === vm.status.powerState && sameIps) continue;
      const at = this.deps.clock.now().toISOString();
      await this.vms.patchStatus(vm.id, (v) => ({
        ...v.status,
        powerState,
        ipAddresses: [...o.ipAddresses],
        ...(powerState !== v.status.powerState ? { lastTransitionAt: at } : {}),
      }));
    }
  }
}
