// Follows every VM and node of a simulated cluster over WatchVMs and WatchNodes, as a client of the
// API would, and keeps what each looks like now and when each change arrived.
import { performance } from "node:perf_hooks";
import { common, compute } from "@limiquantix/api";
import type { SimCluster } from "./sim-cluster";

/** VmSeen is a VM as the watch last showed it. */
export interface VmSeen {
  readonly id: string;
  readonly name: string;
  readonly ha: boolean;
  readonly nodeId: string;
  readonly powerState: compute.PowerState;
  readonly migrating: boolean;
}

/** VmChange is one change of a VM's node or power state, with the time it arrived (performance.now() ms). */
export interface VmChange {
  readonly at: number;
  readonly vm: VmSeen;
  readonly before: VmSeen | undefined;
}

/** NodeChange is one change of a node's phase, with the time it arrived. */
export interface NodeChange {
  readonly at: number;
  readonly nodeId: string;
  readonly phase: compute.NodePhase;
  readonly before: compute.NodePhase | undefined;
}

/**
 * ClusterWatch keeps the VMs and nodes of a cluster as two watch streams show them and logs every
 * change of a VM's node, power state or migration, and of a node's phase. A stream that ends (the
 * server ends a watcher that falls behind) is resumed from the revision it had reached.
 */
export class ClusterWatch {
  readonly vms = new Map<string, VmSeen>();
  readonly phases = new Map<string, compute.NodePhase>();
  /** Each node's last heartbeat as its status says (epoch ms), for how stale it was when the node failed. */
  readonly lastHeartbeat = new Map<string, number>();
  readonly vmChanges: VmChange[] = [];
  readonly nodeChanges: NodeChange[] = [];
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private synced = 0;
  private syncWaiters: (() => void)[] = [];

  constructor(private readonly cluster: SimCluster) {}

  /** start opens both streams and resolves once each has listed what exists. */
  async start(): Promise<void> {
    this.loops.push(this.followVms(), this.followNodes());
    await new Promise<void>((resolve) => {
      if (this.synced >= 2) resolve();
      else this.syncWaiters.push(resolve);
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private bookmark(): void {
    this.synced++;
    if (this.synced >= 2) for (const w of this.syncWaiters.splice(0)) w();
  }

  private async followVms(): Promise<void> {
    let revision = 0n;
    let listed = false;
    while (!this.abort.signal.aborted) {
      try {
        for await (const m of this.cluster.vms.watchVMs(
          { resourceVersion: revision },
          { signal: this.abort.signal },
        )) {
          revision = m.resourceVersion;
          if (m.type === common.EventType.BOOKMARK) {
            if (!listed) {
              listed = true;
              this.bookmark();
            }
            continue;
          }
          const vm = m.vm;
          if (!vm) continue;
          if (m.type === common.EventType.DELETED) {
            this.vms.delete(vm.id);
            continue;
          }
          const seen: VmSeen = {
            id: vm.id,
            name: vm.name,
            ha: vm.spec?.ha?.enabled ?? false,
            nodeId: vm.status?.nodeId ?? "",
            powerState: vm.status?.powerState ?? compute.PowerState.UNSPECIFIED,
            migrating: vm.status?.migration !== undefined,
          };
          const before = this.vms.get(vm.id);
          this.vms.set(vm.id, seen);
          if (
            before?.nodeId !== seen.nodeId ||
            before.powerState !== seen.powerState ||
            before.migrating !== seen.migrating
          )
            this.vmChanges.push({ at: performance.now(), vm: seen, before });
        }
      } catch (e) {
        if (this.abort.signal.aborted) return;
        process.stderr.write(`VM watch ended (${(e as Error).message}); resuming at ${revision}\n`);
      }
    }
  }

  private async followNodes(): Promise<void> {
    let revision = 0n;
    let listed = false;
    while (!this.abort.signal.aborted) {
      try {
        for await (const m of this.cluster.nodes.watchNodes(
          { resourceVersion: revision },
          { signal: this.abort.signal },
        )) {
          revision = m.resourceVersion;
          if (m.type === common.EventType.BOOKMARK) {
            if (!listed) {
              listed = true;
              this.bookmark();
            }
            continue;
          }
          const n = m.node;
          if (!n || m.type === common.EventType.DELETED) continue;
          const phase = n.status?.phase ?? compute.NodePhase.UNSPECIFIED;
          const beat = n.status?.lastHeartbeatTime;
          if (beat) this.lastHeartbeat.set(n.id, Number(beat.seconds) * 1000 + Math.floor(beat.nanos / 1e6));
          const before = this.phases.get(n.id);
          this.phases.set(n.id, phase);
          if (before !== phase) this.nodeChanges.push({ at: performance.now(), nodeId: n.id, phase, before });
        }
      } catch (e) {
        if (this.abort.signal.aborted) return;
        process.stderr.write(`node watch ended (${(e as Error).message}); resuming at ${revision}\n`);
      }
    }
  }

  /** firstNodePhase is when a node first reached a phase at or after `since`, or undefined. */
  firstNodePhase(nodeId: string, phase: compute.NodePhase, since: number): number | undefined {
    return this.nodeChanges.find((c) => c.nodeId === nodeId && c.phase === phase && c.at >= since)?.at;
  }
}
