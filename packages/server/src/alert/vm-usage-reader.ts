import type { HypervisorAgent, Node, VirtualMachine } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { VmUsage } from "./evaluation/metric-samples";

/** VmUsageSource reads what the agents report of the VMs placed on READY nodes, by VM id. */
export interface VmUsageSource {
  /** read asks for the usage of the given VMs; a VM whose agent did not answer is simply absent. */
  read(nodes: readonly Node[], vms: readonly VirtualMachine[]): Promise<ReadonlyMap<string, VmUsage>>;
}

/** AgentLocator finds a node's agent (the compute area's AgentDirectory). */
export interface AgentLocator {
  forNode(node: Node): Promise<HypervisorAgent>;
}

/** PARALLEL_NODES bounds how many agents one read asks at once. */
const PARALLEL_NODES = 16;

/**
 * AgentVmUsage reads VM usage from the agents themselves: one ListVMs per READY node that holds a
 * running VM, at most PARALLEL_NODES at a time, each bounded by the agent pool's call deadline.
 * Only VMs the store places on that node count (a VM the agent reports but the store placed
 * elsewhere is mid-move). A node whose agent fails leaves its VMs unknown for this pass, which
 * changes no alert; the failure is logged at debug level, as node health reports dead agents.
 */
export class AgentVmUsage implements VmUsageSource {
  constructor(
    private readonly agents: AgentLocator,
    private readonly logger: Logger,
  ) {}

  async read(nodes: readonly Node[], vms: readonly VirtualMachine[]): Promise<ReadonlyMap<string, VmUsage>> {
    const placed = new Map<string, Set<string>>();
    for (const vm of vms) {
      const nodeId = vm.status.nodeId;
      if (!nodeId || vm.status.powerState === "STOPPED") continue;
      placed.set(nodeId, (placed.get(nodeId) ?? new Set()).add(vm.id));
    }
    const targets = nodes.filter((n) => n.status.phase === "READY" && placed.has(n.id));
    const usage = new Map<string, VmUsage>();
    for (let i = 0; i < targets.length; i += PARALLEL_NODES)
      await Promise.all(
        targets.slice(i, i + PARALLEL_NODES).map(async (node) => {
          try {
            const mine = placed.get(node.id)!;
            for (const s of await (await this.agents.forNode(node)).listVms())
              if (mine.has(s.vmId))
                usage.set(s.vmId, {
                  ...(s.cpuPercent !== undefined ? { cpuPercent: s.cpuPercent } : {}),
                  ...(s.memoryUsedMib !== undefined ? { memoryUsedMib: s.memoryUsedMib } : {}),
                  ...(s.diskUsedGib !== undefined ? { diskUsedGib: s.diskUsedGib } : {}),
                  ...(s.diskCapacityGib !== undefined ? { diskCapacityGib: s.diskCapacityGib } : {}),
                });
          } catch (e) {
            this.logger.debug({ err: e, node: node.name }, "reading VM usage from the agent failed");
          }
        }),
      );
    return usage;
  }
}
