import { describe, expect, it } from "vitest";
import { isDomainError } from "../errors";
import { parseOrThrow } from "../validation";
import { VirtualNetwork, VirtualNetworkSpec, addressUsageOf } from "./network";
import { VmSpec } from "./virtual-machine";

function failure(run: () => unknown): { message: string; fields: string[] } {
  try {
    run();
  } catch (e) {
    if (isDomainError(e))
      return { message: e.message, fields: (e.details.fieldViolations ?? []).map((v) => v.field) };
    throw e;
  }
  throw new Error("expected a failure");
}

const base = { type: "OVERLAY" as const, cidr: "10.0.0.0/24" };

describe("network address settings", () => {
  it("holds reserved ranges inside the CIDR and in order", () => {
    expect(
      failure(() =>
        parseOrThrow(VirtualNetworkSpec, {
          ...base,
          reservedRanges: [{ start: "10.0.0.9", end: "10.0.1.2" }],
        }),
      ).fields,
    ).toEqual(["reservedRanges[0].end"]);
    expect(
      failure(() =>
        parseOrThrow(VirtualNetworkSpec, {
          ...base,
          reservedRanges: [{ start: "10.0.0.9", end: "10.0.0.2" }],
        }),
      ).message,
    ).toContain("reservedRanges[0].end must not come before start (10.0.0.9)");
    expect(
      parseOrThrow(VirtualNetworkSpec, { ...base, reservedRanges: [{ start: "10.0.0.2", end: "10.0.0.9" }] })
        .reservedRanges,
    ).toHaveLength(1);
  });

  it("keeps allocations keyed by IPv4 address and counts them", () => {
    const network = parseOrThrow(VirtualNetwork, {
      id: "net-1",
      name: "net",
      projectId: "p",
      resourceVersion: 1,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      spec: { ...base, gateway: "10.0.0.1" },
      status: { allocations: { "10.0.0.2": { vmId: "vm-1", nic: "eth0", macAddress: "02:00:00:00:00:01" } } },
    });
    expect(addressUsageOf(network)).toEqual({ size: 253, allocated: 1, free: 252 });
    expect(
      failure(() =>
        parseOrThrow(VirtualNetwork, {
          ...network,
          status: { allocations: { "10.0.0": network.status.allocations["10.0.0.2"] } },
        }),
      ).message,
    ).toContain("status.allocations.10.0.0");
  });

  it("takes a fixed address per NIC, and refuses one that is not an IPv4 address", () => {
    const spec = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };
    expect(
      parseOrThrow(VmSpec, { ...spec, nics: [{ name: "eth0", networkId: "n", ipAddress: "10.0.0.7" }] })
        .nics[0]?.ipAddress,
    ).toBe("10.0.0.7");
    expect(
      failure(() =>
        parseOrThrow(VmSpec, { ...spec, nics: [{ name: "eth0", networkId: "n", ipAddress: "10.0.0.300" }] }),
      ).fields,
    ).toEqual(["nics[0].ipAddress"]);
  });
});
