import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { alert, compute } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../runtime/server";
import { testConfig } from "../testing/server-config";
import { asAdmin } from "../testing/signed-in";

const logger = pino({ level: "silent" });
let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe("alert rules on VM metrics, on a server with simulated nodes", () => {
  it("fires a VM alert when a simulated guest's CPU stays high, lists it under the VM's project, and resolves it when the load drops", async () => {
    server = await startServer(
      testConfig({
        mode: "dev",
        simulation: { nodes: 1, bootDelayMs: 20, heartbeatIntervalSec: 1 },
        alerts: { evaluationIntervalSec: 1 },
      }),
      { logger, version: "test" },
    );
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [await asAdmin(server)] });
    const vms = createClient(compute.VMService, transport);
    const alerts = createClient(alert.AlertService, transport);
    const { rule } = await alerts.createAlertRule({
      name: "vm-cpu-busy",
      spec: {
        metric: "vm.cpu.percent",
        operator: alert.ThresholdOperator.GT,
        threshold: 90,
        forSec: 1,
        severity: alert.AlertSeverity.WARNING,
        enabled: true,
      },
    });
    const { vm } = await vms.createVM({
      projectId: "default",
      name: "busy",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    await vms.startVM({ id: vm!.id });
    await eventually(
      async () =>
        expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
      15_000,
    );
    const hypervisor = server.sims!.agents.find((a) =>
      a.hypervisor.list().some((v) => v.vmId === vm!.id),
    )!.hypervisor;

    // The default simulated load (5 % CPU) raises nothing.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await alerts.listAlerts({ sourceId: vm!.id })).alerts).toEqual([]);

    hypervisor.setVmLoad(vm!.id, { cpuPercent: 97 });
    let fired: alert.Alert | undefined;
    await eventually(async () => {
      const { alerts: list } = await alerts.listAlerts({ projectId: vm!.projectId, sourceId: vm!.id });
      expect(list).toHaveLength(1);
      fired = list[0];
    }, 15_000);
    expect(fired).toMatchObject({
      ruleId: rule!.id,
      projectId: vm!.projectId,
      title: "VM busy: CPU 97% > 90%",
      state: alert.AlertState.OPEN,
      severity: alert.AlertSeverity.WARNING,
      source: { kind: "VirtualMachine", id: vm!.id, name: "busy" },
    });

    hypervisor.setVmLoad(vm!.id, {});
    await eventually(async () => {
      const got = (await alerts.getAlert({ id: fired!.id })).alert;
      expect(got?.state).toBe(alert.AlertState.RESOLVED);
    }, 15_000);
    await server.stop();
    server = undefined;
  }, 60_000);
});
