import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { compute, network, storage } from "@limiquantix/api";
import { type DomainError, isDomainError } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { checkRequest } from "./validate-requests";

const validator = createValidator();

function violations<D extends DescMessage>(schema: D, init: MessageInitShape<D>): string[] {
  try {
    checkRequest(validator, schema, create(schema, init));
    return [];
  } catch (e) {
    if (!isDomainError(e)) throw e;
    return ((e as DomainError).details.fieldViolations ?? []).map((v) => `${v.field} ${v.description}`);
  }
}

const spec = { vcpus: 2, memoryMib: 2048n, disks: [{ name: "root", volumeId: "vol-1" }] };

describe("checkRequest", () => {
  it("says which bound a number breaks, in the house style, with the value given", () => {
    expect(
      violations(compute.CreateVMRequestSchema, {
        name: "web",
        projectId: "p",
        spec: { ...spec, memoryMib: 128n },
      }),
    ).toEqual(["spec.memory_mib must be at least 512 (got 128)"]);
    expect(
      violations(compute.CreateVMRequestSchema, {
        name: "web",
        projectId: "p",
        spec: { ...spec, vcpus: 1000 },
      }),
    ).toEqual(["spec.vcpus must be at most 512 (got 1000)"]);
    expect(
      violations(storage.CreateStoragePoolRequestSchema, {
        name: "p",
        spec: { type: storage.StoragePoolType.NFS, capacityGib: 0n },
      }),
    ).toEqual(["spec.capacity_gib must be at least 1 (got 0)"]);
  });

  it("names list elements and map keys by their wire path", () => {
    const bad = violations(compute.CreateVMRequestSchema, {
      name: "web",
      projectId: "p",
      labels: { "": "x" },
      spec: { ...spec, disks: [{ name: "Root!", volumeId: "vol-1" }] },
    });
    expect(bad.map((v) => v.split(" ")[0])).toEqual(
      expect.arrayContaining(['labels[""]', "spec.disks[0].name"]),
    );
  });

  it("points a message-wide rule at the field its message names", () => {
    const rule = {
      direction: network.RuleDirection.INGRESS,
      protocol: network.RuleProtocol.TCP,
      portRange: { from: 90, to: 80 },
    };
    expect(violations(network.AddRuleRequestSchema, { securityGroupId: "sg-1", rule })).toEqual([
      "rule.port_range.to must be at least from (got 80)",
    ]);
  });

  it("leaves a zero to the default where the proto says so", () => {
    expect(
      violations(storage.CreateStoragePoolRequestSchema, {
        name: "p",
        spec: { type: storage.StoragePoolType.NFS, capacityGib: 10n },
      }),
    ).toEqual([]);
    expect(
      violations(compute.CreateClusterRequestSchema, { name: "c", spec: { drs: { enabled: true } } }),
    ).toEqual([]);
    expect(violations(compute.AttachVolumeRequestSchema, { vmId: "vm-1", volumeId: "vol-1" })).toEqual([]);
  });

  it("holds an update to the rules only where it changes: the masked paths, or without a mask the fields given", () => {
    const update = (init: MessageInitShape<typeof compute.UpdateVMRequestSchema>) =>
      violations(compute.UpdateVMRequestSchema, init);
    expect(update({ id: "vm-1", spec: { description: "front end" } })).toEqual([]);
    expect(update({ id: "vm-1", spec: { vcpus: 1000 } })).toEqual([
      "spec.vcpus must be at most 512 (got 1000)",
    ]);
    expect(
      update({ id: "vm-1", spec: { description: "x" }, updateMask: { paths: ["spec.description"] } }),
    ).toEqual([]);
    expect(update({ id: "vm-1", spec: {}, updateMask: { paths: ["spec.vcpus"] } })).toEqual([
      "spec.vcpus must be at least 1 (got 0)",
    ]);
    expect(
      update({ id: "", resourceVersion: -1n, updateMask: { paths: ["labels"] } }).map((v) => v.split(" ")[0]),
    ).toEqual(["id", "id", "resource_version"]);
  });
});
