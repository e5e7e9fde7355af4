import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { makeTempDir } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { Config } from "../config/schema";
import { testConfig } from "../testing/server-config";
import { asAdmin } from "../testing/signed-in";
import { type RunningServer, startServer } from "./server";

const logger = pino({ level: "silent" });
let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
});

/** vmsOf is a VMService client of the server, calling as its admin. */
async function vmsOf(s: RunningServer) {
  return createClient(
    compute.VMService,
    createGrpcTransport({ baseUrl: s.url, interceptors: [await asAdmin(s)] }),
  );
}

function config(dataDir: string): Config {
  return testConfig({
    mode: "embedded",
    dataDir,
    simulation: { nodes: 2, bootDelayMs: 50, heartbeatIntervalSec: 1 },
    reconciler: { resyncIntervalSec: 3600 },
  });
}

describe("simulated nodes over the real mTLS agent pool", () => {
  it("run a VM, and after a restart with fresh agents the VM is known to an agent and running again within seconds", async () => {
    const dir = await makeTempDir("sim-restart");
    server = await startServer(config(dir.path), { logger, version: "test" });
    let vms = await vmsOf(server);
    const { vm } = await vms.createVM({
      projectId: "default",
      name: "web",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    await vms.startVM({ id: vm!.id });
    await eventually(
      async () =>
        expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
      15_000,
    );
    const held = () =>
      server!.sims!.agents.some((a) =>
        a.hypervisor.list().some((v) => v.vmId === vm!.id && v.powerState === "RUNNING"),
      );
    expect(held()).toBe(true);

    await server.stop();
    // The new simulated agents start empty, as hypervisors that lost their VMs would; the
    // periodic resync is an hour away, so only the registration can set things right.
    server = await startServer(config(dir.path), { logger, version: "test" });
    vms = await vmsOf(server);
    await eventually(async () => {
      expect(held()).toBe(true);
      expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING);
    }, 10_000);
    const { snapshot } = await vms.createSnapshot({ vmId: vm!.id, name: "after-restart" });
    expect(snapshot?.phase).toBe(compute.SnapshotPhase.READY);
    await server.stop();
    server = undefined;
    await dir.remove();
  }, 60_000);

  it("keeps a VM's snapshots across a migration, so it can be reverted on its new node", async () => {
    const dir = await makeTempDir("sim-migrate");
    server = await startServer(config(dir.path), { logger, version: "test" });
    const vms = await vmsOf(server);
    const { vm } = await vms.createVM({
      projectId: "default",
      name: "mover",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    await vms.startVM({ id: vm!.id });
    await eventually(
      async () =>
        expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
      15_000,
    );
    const { snapshot } = await vms.createSnapshot({ vmId: vm!.id, name: "before-move", includeMemory: true });
    const source = (await vms.getVM({ id: vm!.id })).vm!.status!.nodeId;
    const target = [...server.sims!.nodeIds.values()].find((id) => id !== source)!;
    const moved = await vms.migrateVM({ id: vm!.id, targetNodeId: target, live: true });
    expect(moved.vm?.status?.nodeId).toBe(target);
    const reverted = await vms.revertToSnapshot({ vmId: vm!.id, snapshotId: snapshot!.id });
    expect(reverted.vm?.status?.nodeId).toBe(target);
    await server.stop();
    server = undefined;
    await dir.remove();
  }, 60_000);
});
