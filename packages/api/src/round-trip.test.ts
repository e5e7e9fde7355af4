import { create, fromBinary, fromJson, toBinary, toJson } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { compute, createApiRegistry, events, network } from "./index";

function sampleVm(): compute.VirtualMachine {
  return create(compute.VirtualMachineSchema, {
    id: "vm-1",
    name: "web-1",
    labels: { tier: "web" },
    resourceVersion: 3n,
    createTime: timestampFromDate(new Date("2026-01-02T03:04:05.000Z")),
    projectId: "default",
    spec: {
      vcpus: 2,
      memoryMib: 2048n,
      disks: [{ name: "root", volumeId: "vol-1", bus: compute.DiskBus.VIRTIO, bootOrder: 0 }],
      nics: [{ name: "eth0", networkId: "net-1", macAddress: "52:54:00:12:34:56" }],
      desiredPowerState: compute.DesiredPowerState.RUNNING,
    },
    status: { powerState: compute.PowerState.RUNNING, nodeId: "node-a", ipAddresses: ["10.0.0.5"] },
  });
}

describe("message round trips", () => {
  it("keep a VirtualMachine intact through the binary format", () => {
    const vm = sampleVm();
    const back = fromBinary(compute.VirtualMachineSchema, toBinary(compute.VirtualMachineSchema, vm));
    expect(back).toEqual(vm);
    expect(back.spec?.disks[0]?.bootOrder).toBe(0);
  });

  it("write JSON with camelCase names, enum names and RFC 3339 times, and read it back", () => {
    const vm = sampleVm();
    const json = toJson(compute.VirtualMachineSchema, vm);
    expect(json).toMatchObject({
      name: "web-1",
      resourceVersion: "3",
      createTime: "2026-01-02T03:04:05Z",
      status: { powerState: "POWER_STATE_RUNNING" },
    });
    expect(fromJson(compute.VirtualMachineSchema, json)).toEqual(vm);
  });

  it("round-trip a security group rule with a port range", () => {
    const sg = create(network.SecurityGroupSchema, {
      id: "sg-1",
      name: "web",
      spec: {
        rules: [
          {
            id: "r1",
            direction: network.RuleDirection.INGRESS,
            protocol: network.RuleProtocol.TCP,
            portRange: { from: 80, to: 443 },
            cidr: "0.0.0.0/0",
          },
        ],
      },
    });
    const back = fromJson(network.SecurityGroupSchema, toJson(network.SecurityGroupSchema, sg));
    expect(back).toEqual(sg);
  });

  it("round-trip an event", () => {
    const event = create(events.EventSchema, {
      id: "7.0",
      reason: "VmStarted",
      severity: events.Severity.INFO,
      kind: "VirtualMachine",
      resourceId: sampleVm().id,
      resourceVersion: 7n,
    });
    const back = fromBinary(events.EventSchema, toBinary(events.EventSchema, event));
    expect(back.reason).toBe("VmStarted");
    const json = toJson(events.EventSchema, event, { registry: createApiRegistry() });
    expect(fromJson(events.EventSchema, json)).toEqual(event);
  });

  it("reject JSON naming an unknown enum value", () => {
    expect(() => fromJson(compute.VmStatusSchema, { powerState: "POWER_STATE_EXPLODED" })).toThrow(
      /POWER_STATE_EXPLODED/,
    );
  });
});
