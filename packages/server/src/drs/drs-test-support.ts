import { compute } from "@limiquantix/api";
import type { DrsAutomationLevel, DrsSettings } from "@limiquantix/domain";
import { ManualClock } from "@limiquantix/repo-memory";
import type { ConfigInput } from "../config/schema";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { powerIs } from "../testing/vm-steps";
import type { DrsController } from "./drs-controller";
import { DRS } from "./drs-ids";
import type { DrsPassRunner } from "./drs-pass-runner";
import type { DrsService } from "./drs-service";

/** DrsHarness is an RPC harness on a manual clock, with the DRS pieces at hand and the default cluster's id. */
export interface DrsHarness extends RpcHarness {
  readonly clock: ManualClock;
  readonly clusterId: string;
  readonly passes: DrsPassRunner;
  readonly drs: DrsService;
  readonly controller: DrsController;
  /** setDrs changes the default cluster's DRS settings. */
  setDrs(settings: Partial<DrsSettings> & { automationLevel?: DrsAutomationLevel }): Promise<void>;
  /** nodeOf is the node a VM is placed on now. */
  nodeOf(vmId: string): Promise<string | undefined>;
}

/** startDrsHarness starts memory services on a manual clock; the DRS controller is not started (tests drive passes). */
export async function startDrsHarness(config: ConfigInput = {}): Promise<DrsHarness> {
  const clock = new ManualClock("2026-03-01T08:00:00.000Z");
  const h = await startRpcHarness({ clock, config });
  const cluster = await h.services.clusters.findByName(h.ctx, "default");
  const c = h.plane.container;
  return {
    ...h,
    clock,
    clusterId: cluster!.id,
    passes: c.get<DrsPassRunner>(DRS.passes),
    drs: c.get<DrsService>(DRS.service),
    controller: c.get<DrsController>(DRS.controller),
    async setDrs(settings) {
      await h.services.clusters.update(h.ctx, cluster!.id, (cl) => ({
        ...cl,
        spec: { ...cl.spec, drs: { ...cl.spec.drs, ...settings } },
      }));
    },
    async nodeOf(vmId) {
      return (await h.services.deps.repos.vms.get(vmId)).status.nodeId;
    },
  };
}

/** SkewedCluster is three equal nodes with every VM on the first. */
export interface SkewedCluster {
  readonly nodes: readonly [string, string, string];
  readonly vms: readonly string[];
}

/**
 * skewedCluster registers node a (8 cores, 32 GiB), runs `count` VMs of 2 vCPUs and 4 GiB on it,
 * then registers b and c alike: a carries all the load.
 */
export async function skewedCluster(h: RpcHarness, count = 6): Promise<SkewedCluster> {
  const vms = h.client(compute.VMService);
  const a = await h.registerNode("a", 8, 32_768);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { vm } = await vms.createVM({
      projectId: h.projectId,
      name: `app-${i}`,
      spec: { vcpus: 2, memoryMib: 4096n },
    });
    await vms.startVM({ id: vm!.id });
    ids.push(vm!.id);
  }
  for (const id of ids) await powerIs(h, id, compute.PowerState.RUNNING);
  const b = await h.registerNode("b", 8, 32_768);
  const c = await h.registerNode("c", 8, 32_768);
  await h.services.relay.caughtUp();
  return { nodes: [a, b, c], vms: ids };
}

/**
 * holdMigrations makes migrations off a node wait until released, so a test sees them in flight
 * (the simulated agent otherwise finishes one at once). `release` lets every held one go on; later
 * ones wait again.
 */
export function holdMigrations(h: RpcHarness, nodeId: string): { release(): void; readonly held: number } {
  const host = h.adapters.agentPool.host(nodeId);
  const migrate = host.migrateVm.bind(host);
  let open!: () => void;
  let gate = new Promise<void>((r) => {
    open = r;
  });
  let held = 0;
  host.migrateVm = async (...args) => {
    held++;
    await gate;
    held--;
    return migrate(...args);
  };
  return {
    release() {
      open();
      gate = new Promise<void>((r) => {
        open = r;
      });
    },
    get held() {
      return held;
    },
  };
}
