import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, drs } from "@limiquantix/api";
import { ChangeLog, type ChangeLogEntry } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../runtime/server";
import { type ProductionSetup, productionSetup } from "../testing/production-setup";
import { SimReplicas } from "../testing/sim-replicas";
import { adminToken, withBearer } from "../testing/signed-in";

// Three production replicas in this process; the third runs the simulated nodes and all share its
// lab and PKI. DRS in full automation balances a skewed cluster; the leader is stopped once the
// first migration is seen, and the next leader finishes: no VM is migrated twice.
let setup: ProductionSetup;
const replicas = new SimReplicas("drs-failover", () => setup.config);

beforeAll(async () => {
  setup = await productionSetup("drs-failover", {
    simulation: { nodes: 0, bootDelayMs: 50, heartbeatIntervalSec: 1 },
    drs: { automationLevel: "full", intervalSec: 3600 },
  });
}, 120_000);

afterAll(async () => {
  await replicas.stopAll();
  await setup?.close();
});

/** movesIn lists, per VM, the nodes its status moved between in the given change-log entries. */
function movesIn(entries: readonly ChangeLogEntry[]): Map<string, string[]> {
  const last = new Map<string, string>();
  const moves = new Map<string, string[]>();
  for (const e of entries) {
    if (e.kind !== "VirtualMachine" || e.type === "DELETED") continue;
    const node = (e.object as { status?: { nodeId?: string } }).status?.nodeId;
    if (!node) continue;
    const before = last.get(e.id);
    if (before !== undefined && before !== node)
      moves.set(e.id, [...(moves.get(e.id) ?? []), `${before}→${node}`]);
    last.set(e.id, node);
  }
  return moves;
}

describe("DRS across replicas", () => {
  it("a leader stopped in the middle of balancing: the next leader finishes and no VM is migrated twice", async () => {
    const first = await replicas.start(0);
    const second = await replicas.start(0);
    const hosts = await replicas.start(4);
    const token = await adminToken(first);
    const client = <S extends Parameters<typeof createClient>[0]>(service: S, s: RunningServer) =>
      createClient(service, createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] }));
    const vms = client(compute.VMService, hosts);
    const nodes = client(compute.NodeService, hosts);
    const simulated = [...hosts.sims!.nodeIds.values()];
    // Skew: every VM starts on one node while the others are cordoned.
    const [hot, ...cold] = simulated as [string, ...string[]];
    for (const id of cold) await nodes.cordonNode({ id });
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { vm } = await vms.createVM({
        projectId: "default",
        name: `busy-${i}`,
        spec: { vcpus: 2, memoryMib: 1024n },
      });
      ids.push(vm!.id);
      await vms.startVM({ id: vm!.id });
    }
    await eventually(async () => {
      for (const id of ids) {
        const vm = (await vms.getVM({ id })).vm!;
        expect(vm.status?.powerState).toBe(compute.PowerState.RUNNING);
        expect(vm.status?.nodeId).toBe(hot);
      }
    }, 30_000);
    for (const id of cold) await nodes.uncordonNode({ id });
    // Every node reports its load at least once after the skew.
    await new Promise((r) => setTimeout(r, 2500));

    const log = hosts.container.get<ChangeLog>(ChangeLog);
    const before = await log.head();
    const api = client(drs.DRSService, hosts);
    const clusterId = hosts.defaults.clusterId;
    const pass = api.runNow({ clusterId }, { timeoutMs: 60_000 }).catch((e: unknown) => e);
    // The leader (the first replica) goes away as soon as one VM has moved.
    await eventually(
      async () => {
        const placed = await Promise.all(ids.map(async (id) => (await vms.getVM({ id })).vm!.status!.nodeId));
        expect(placed.some((n) => n !== hot)).toBe(true);
      },
      30_000,
      20,
    );
    await replicas.stop(first);
    await pass;

    // The next leader balances the rest: passes (each after a round of load reports) until one moves nothing.
    const placement = async () =>
      (await Promise.all(ids.map(async (id) => (await vms.getVM({ id })).vm!.status!.nodeId))).join(",");
    let previous = await placement();
    await eventually(
      async () => {
        await new Promise((r) => setTimeout(r, 1500));
        const { status } = await client(drs.DRSService, second).runNow({ clusterId }, { timeoutMs: 60_000 });
        expect(status?.lastError).toBe("");
        const now = await placement();
        const settled = now === previous;
        previous = now;
        expect(settled).toBe(true);
      },
      90_000,
      100,
    );
    expect(previous.split(",").filter((n) => n === hot).length).toBeLessThan(ids.length);
    const entries: ChangeLogEntry[] = [];
    for (let after = before; ; ) {
      const page = await log.read(after, 1000);
      entries.push(...page);
      if (page.length < 1000) break;
      after = page.at(-1)!.revision;
    }
    const moves = movesIn(entries);
    expect(moves.size).toBeGreaterThan(0);
    for (const [id, path] of moves) expect(path, `moves of ${id}`).toHaveLength(1);
    // No VM ever runs in two places; once the last migrations have ended, each runs in exactly one.
    const copies = (id: string) =>
      hosts.sims!.agents.flatMap((a) =>
        a.hypervisor.list().filter((v) => v.vmId === id && v.powerState === "RUNNING"),
      ).length;
    for (const id of ids) expect(copies(id), `copies of ${id} running`).toBeLessThanOrEqual(1);
    await eventually(async () => {
      for (const id of ids) expect(copies(id), `copies of ${id} running`).toBe(1);
    }, 30_000);
  }, 180_000);
});
