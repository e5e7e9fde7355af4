import { alert, compute, iam, sim } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterAll, describe, expect, it } from "vitest";
import { type AccessHarness, codeOf, startAccessHarness } from "../auth/test/access-support";

let h: AccessHarness | undefined;
afterAll(async () => {
  await h?.close();
});

describe("alert rules on VM metrics, on a server with simulated nodes", () => {
  it("fires a VM alert when a simulated guest's CPU stays high, shows it to the VM's project members only, and resolves it when the load drops", async () => {
    h = await startAccessHarness({
      simulation: { nodes: 1, bootDelayMs: 20, heartbeatIntervalSec: 1 },
      alerts: { evaluationIntervalSec: 1 },
    });
    const vms = h.client(compute.VMService, h.admin);
    const alerts = h.client(alert.AlertService, h.admin);
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
    const simulation = h.client(sim.SimulationService, h.admin);

    // The default simulated load (5 % CPU) raises nothing.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await alerts.listAlerts({ sourceId: vm!.id })).alerts).toEqual([]);

    const { nodeId } = await simulation.setVmLoad({ vmId: vm!.id, cpuPercent: 97 });
    expect(nodeId).toBe((await vms.getVM({ id: vm!.id })).vm?.status?.nodeId);
    expect(await codeOf(() => simulation.setVmLoad({ vmId: "no-such-vm", cpuPercent: 1 }))).toBe("NotFound");
    expect(await codeOf(() => simulation.setVmLoad({ vmId: vm!.id, cpuPercent: 101 }))).toBe(
      "InvalidArgument",
    );
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

    // A member of the VM's project sees it (its list narrowed to the project); one of another project does not.
    const { project: elsewhere } = await h
      .client(iam.ProjectService, h.admin)
      .createProject({ name: "elsewhere" });
    const member = await h.user("member", {
      projects: [{ projectId: vm!.projectId, role: iam.Role.VIEWER }],
    });
    const outsider = await h.user("outsider", {
      projects: [{ projectId: elsewhere!.id, role: iam.Role.VIEWER }],
    });
    const seen = await h.client(alert.AlertService, member.token).listAlerts({});
    expect(
      await codeOf(() => h!.client(sim.SimulationService, member.token).setVmLoad({ vmId: vm!.id })),
    ).toBe("PermissionDenied");
    expect(seen.alerts.map((a) => a.id)).toEqual([fired!.id]);
    expect((await h.client(alert.AlertService, outsider.token).listAlerts({})).alerts).toEqual([]);

    await simulation.setVmLoad({ vmId: vm!.id });
    await eventually(async () => {
      const got = (await alerts.getAlert({ id: fired!.id })).alert;
      expect(got?.state).toBe(alert.AlertState.RESOLVED);
    }, 15_000);
  }, 60_000);
});
