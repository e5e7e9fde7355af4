import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, network } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { makeTempDir } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../runtime/server";
import { testConfig } from "../testing/server-config";
import { asAdmin } from "../testing/signed-in";

let server: RunningServer | undefined;
let cleanup: (() => Promise<void>) | undefined;
afterAll(async () => {
  await server?.stop();
  await cleanup?.();
});

describe("addresses on simulated nodes", () => {
  it("runs VMs on two networks with the addresses of their own CIDRs, as the agents report them", async () => {
    const dir = await makeTempDir("ipam-sim");
    cleanup = () => dir.remove();
    server = await startServer(
      testConfig({
        mode: "embedded",
        dataDir: dir.path,
        simulation: { nodes: 1, bootDelayMs: 20, heartbeatIntervalSec: 1 },
      }),
      { logger: pino({ level: "silent" }), version: "test" },
    );
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [await asAdmin(server)] });
    const networks = createClient(network.VirtualNetworkService, transport);
    const vms = createClient(compute.VMService, transport);
    const netOf = async (name: string, cidr: string, gateway: string) =>
      (
        await networks.createVirtualNetwork({
          name,
          projectId: "default",
          spec: { type: network.NetworkType.OVERLAY, cidr, gateway },
        })
      ).virtualNetwork!;
    const a = await netOf("front", "10.31.0.0/24", "10.31.0.1");
    const b = await netOf("back", "172.20.4.0/24", "172.20.4.1");
    const vmOn = async (name: string, networkId: string, ipAddress = "") =>
      (
        await vms.createVM({
          projectId: "default",
          name,
          spec: { vcpus: 1, memoryMib: 512n, nics: [{ name: "eth0", networkId, ipAddress }] },
        })
      ).vm!;
    const onA = await vmOn("web", a.id);
    const onB = await vmOn("db", b.id, "172.20.4.50");
    for (const vm of [onA, onB]) await vms.startVM({ id: vm.id });

    await eventually(async () => {
      const [web, db] = await Promise.all([vms.getVM({ id: onA.id }), vms.getVM({ id: onB.id })]);
      expect(web.vm?.status?.powerState).toBe(compute.PowerState.RUNNING);
      expect(db.vm?.status?.powerState).toBe(compute.PowerState.RUNNING);
      expect(web.vm?.status?.ipAddresses).toEqual(["10.31.0.2"]);
      expect(db.vm?.status?.ipAddresses).toEqual(["172.20.4.50"]);
    }, 15_000);
    const agentNic = server.sims!.agents[0]!.hypervisor.definition(onA.id).nics[0];
    expect(agentNic?.macAddress).toBe(onA.status?.nics[0]?.macAddress);
  }, 60_000);
});
