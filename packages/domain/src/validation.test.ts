import { describe, expect, it } from "vitest";
import { VmSpec } from "./entities/virtual-machine";
import { VirtualNetworkSpec, SecurityRule } from "./entities/network";
import { ErrorCode, hasErrorCode, type DomainError } from "./errors";
import { parseOrThrow } from "./validation";

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (hasErrorCode(e, ErrorCode.InvalidArgument)) return e;
    throw e;
  }
  throw new Error("expected InvalidArgument");
}

const okVm = { cpu: { vcpus: 2 }, memory: { sizeMib: 2048 } };

describe("parseOrThrow", () => {
  it("names the field, the rule and the value in the message", () => {
    const err = failure(() => parseOrThrow(VmSpec, { cpu: { vcpus: 2 }, memory: { sizeMib: 128 } }));
    expect(err.message).toBe("memory.sizeMib must be at least 512 (got 128)");
    expect(err.details.fieldViolations).toEqual([
      { field: "memory.sizeMib", description: "must be at least 512 (got 128)" },
    ]);
  });

  it("reports every violation, not only the first", () => {
    const err = failure(() => parseOrThrow(VmSpec, { cpu: { vcpus: 0 }, memory: { sizeMib: 1 } }));
    expect(err.details.fieldViolations?.map((v) => v.field)).toEqual(["cpu.vcpus", "memory.sizeMib"]);
  });

  it("says a missing field is required", () => {
    const err = failure(() => parseOrThrow(VmSpec, { cpu: { vcpus: 1 } }));
    expect(err.message).toContain("memory is required");
  });

  it("refuses unknown fields by name", () => {
    const err = failure(() => parseOrThrow(VmSpec, { ...okVm, colour: "red" }));
    expect(err.message).toContain("colour is not a known field");
  });

  it("names array elements with their index", () => {
    const err = failure(() =>
      parseOrThrow(VmSpec, {
        ...okVm,
        nics: [
          { name: "eth0", networkId: "n1" },
          { name: "Eth 1", networkId: "n2" },
        ],
      }),
    );
    expect(err.details.fieldViolations?.[0]?.field).toBe("nics[1].name");
    expect(err.message).toContain('(got "Eth 1")');
  });

  it("refuses duplicate NIC names and a volume attached twice", () => {
    const err = failure(() =>
      parseOrThrow(VmSpec, {
        ...okVm,
        nics: [
          { name: "eth0", networkId: "n1" },
          { name: "eth0", networkId: "n2" },
        ],
        disks: [
          { name: "a", volumeId: "v1" },
          { name: "b", volumeId: "v1" },
        ],
      }),
    );
    const fields = err.details.fieldViolations?.map((v) => v.field);
    expect(fields).toContain("nics[1].name");
    expect(fields).toContain("disks[1].volumeId");
  });

  it("prefixes the subject when given", () => {
    const err = failure(() => parseOrThrow(VmSpec, {}, "VM spec"));
    expect(err.message.startsWith("invalid VM spec: ")).toBe(true);
  });

  it("applies defaults on success", () => {
    const spec = parseOrThrow(VmSpec, okVm);
    expect(spec.desiredPowerState).toBe("STOPPED");
    expect(spec.ha).toEqual({ enabled: true, restartPriority: "medium" });
  });
});

describe("network validation", () => {
  const base = { type: "VLAN", vlanId: 100, cidr: "10.0.0.0/24" } as const;

  it("refuses a VLAN id outside 1–4094", () => {
    expect(failure(() => parseOrThrow(VirtualNetworkSpec, { ...base, vlanId: 4095 })).message).toBe(
      "vlanId must be at most 4094 (got 4095)",
    );
    expect(failure(() => parseOrThrow(VirtualNetworkSpec, { ...base, vlanId: 0 })).message).toContain(
      "vlanId must be at least 1",
    );
  });

  it("requires a VLAN id on a VLAN network", () => {
    expect(
      failure(() => parseOrThrow(VirtualNetworkSpec, { type: "VLAN", cidr: "10.0.0.0/24" })).message,
    ).toContain("vlanId is required for a VLAN network");
  });

  it("refuses a CIDR with host bits set and suggests the network", () => {
    const err = failure(() => parseOrThrow(VirtualNetworkSpec, { ...base, cidr: "10.0.0.7/24" }));
    expect(err.message).toContain("did you mean 10.0.0.0/24?");
  });

  it("refuses a gateway outside the CIDR or on its broadcast address", () => {
    expect(
      failure(() => parseOrThrow(VirtualNetworkSpec, { ...base, gateway: "10.0.1.1" })).message,
    ).toContain("gateway must lie inside 10.0.0.0/24");
    expect(
      failure(() => parseOrThrow(VirtualNetworkSpec, { ...base, gateway: "10.0.0.255" })).message,
    ).toContain("broadcast");
  });

  it("refuses a DHCP range that runs backwards", () => {
    const err = failure(() =>
      parseOrThrow(VirtualNetworkSpec, {
        ...base,
        dhcp: { rangeStart: "10.0.0.200", rangeEnd: "10.0.0.10" },
      }),
    );
    expect(err.details.fieldViolations?.[0]?.field).toBe("dhcp.rangeEnd");
  });

  it("accepts a valid network", () => {
    expect(parseOrThrow(VirtualNetworkSpec, { ...base, gateway: "10.0.0.1" }).mtu).toBe(1500);
  });
});

describe("security rule validation", () => {
  const rule = { id: "r1", direction: "INGRESS", protocol: "TCP" } as const;

  it("refuses ports outside 1–65535 and a reversed range", () => {
    expect(
      failure(() => parseOrThrow(SecurityRule, { ...rule, portRange: { from: 0, to: 80 } })).message,
    ).toContain("portRange.from must be at least 1");
    expect(
      failure(() => parseOrThrow(SecurityRule, { ...rule, portRange: { from: 90, to: 80 } })).details
        .fieldViolations?.[0]?.field,
    ).toBe("portRange.to");
  });

  it("refuses a port range on ICMP", () => {
    expect(
      failure(() => parseOrThrow(SecurityRule, { ...rule, protocol: "ICMP", portRange: { from: 1, to: 2 } }))
        .message,
    ).toContain("portRange must be absent for protocol ICMP");
  });
});
