import { isDomainError } from "@limiquantix/domain";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test-support";
import { SimHypervisor } from "./sim-hypervisor";

const def = (vmId: string, vcpus = 2, memoryMib = 1024) => ({
  vmId,
  name: vmId,
  vcpus,
  memoryMib,
  disks: [],
  nics: [],
});
const hosts: SimHypervisor[] = [];
function host(cpu = 4, memoryMib = 4096, bootDelayMs = 5) {
  const h = new SimHypervisor({ nodeId: "node-a", cpu, memoryMib, bootDelayMs });
  hosts.push(h);
  return h;
}
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    return isDomainError(e) ? e.code : "not a DomainError";
  }
  return undefined;
}

afterEach(() => {
  for (const h of hosts.splice(0)) h.close();
});

describe("SimHypervisor", () => {
  it("boots a VM through STARTING to RUNNING once the boot delay has passed", async () => {
    const h = host();
    h.create(def("vm-1"));
    expect(h.start("vm-1").powerState).toBe("STARTING");
    await waitFor(() => expect(h.status("vm-1").powerState).toBe("RUNNING"), "boot");
    expect(h.status("vm-1").ipAddresses).toHaveLength(1);
  });

  it("refuses a VM that does not fit with ResourceExhausted, counting every defined VM", () => {
    const h = host(4, 4096);
    h.create(def("vm-1", 3, 1024));
    expect(codeOf(() => h.create(def("vm-2", 2, 1024)))).toBe("ResourceExhausted");
    expect(codeOf(() => h.create(def("vm-3", 1, 4000)))).toBe("ResourceExhausted");
    h.delete("vm-1");
    expect(h.create(def("vm-2", 2, 1024)).powerState).toBe("STOPPED");
  });

  it("rejects illegal power transitions with FailedPrecondition", () => {
    const h = host();
    h.create(def("vm-1"));
    expect(codeOf(() => h.pause("vm-1"))).toBe("FailedPrecondition");
    expect(codeOf(() => h.reboot("vm-1"))).toBe("FailedPrecondition");
    expect(codeOf(() => h.status("nope"))).toBe("NotFound");
  });

  it("refuses to delete a running VM", async () => {
    const h = host();
    h.create(def("vm-1"));
    h.start("vm-1");
    await waitFor(() => expect(h.status("vm-1").powerState).toBe("RUNNING"), "boot");
    expect(codeOf(() => h.delete("vm-1"))).toBe("FailedPrecondition");
  });

  it("stops gracefully through STOPPING, or at once when forced", async () => {
    const h = host();
    h.create(def("vm-1"));
    h.start("vm-1");
    await waitFor(() => expect(h.status("vm-1").powerState).toBe("RUNNING"), "boot");
    expect(h.stop("vm-1", false, 30).powerState).toBe("STOPPING");
    await waitFor(() => expect(h.status("vm-1").powerState).toBe("STOPPED"), "shutdown");
    h.start("vm-1");
    expect(h.stop("vm-1", true, 0).powerState).toBe("STOPPED");
  });

  it("reports running VMs in its metrics and emits state events", async () => {
    const h = host(4, 4096);
    const states: string[] = [];
    h.onEvent((e) => e.type === "vm-state" && states.push(e.powerState));
    h.create(def("vm-1", 2, 1024));
    h.start("vm-1");
    await waitFor(() => expect(h.status("vm-1").powerState).toBe("RUNNING"), "boot");
    expect(h.metrics()).toEqual({ cpuPercent: 50, memoryUsedMib: 1024, vmCount: 1 });
    expect(states).toEqual(["STOPPED", "STARTING", "RUNNING"]);
  });

  it("releases the reservation of an incoming migration that is abandoned", () => {
    const h = host(4, 4096);
    const id = h.prepareIncoming(def("vm-9", 4, 1024), "RUNNING");
    expect(codeOf(() => h.create(def("vm-1", 1, 512)))).toBe("ResourceExhausted");
    h.completeIncoming(id, false);
    expect(h.create(def("vm-1", 1, 512)).powerState).toBe("STOPPED");
  });
});
