import { compute } from "@limiquantix/api";
import { describe, expect, it } from "vitest";
import { describeDecodeError, jsonViolations } from "./json-violations";

describe("jsonViolations", () => {
  it("names unknown keys, unknown enum names and wrong types by wire path, at any depth", () => {
    const found = jsonViolations(compute.CreateVMRequestSchema, {
      name: "web",
      labels: { app: 7 },
      spec: { memoryMib: "lots", disks: [{ name: "root", bus: "DISK_BUS_USB" }], nics: [{ nam: "eth0" }] },
      colour: "blue",
    });
    expect(found.map((v) => v.field)).toEqual([
      'labels["app"]',
      "spec.memory_mib",
      "spec.disks[0].bus",
      "spec.nics[0].nam",
      "colour",
    ]);
    expect(found.find((v) => v.field === "spec.disks[0].bus")?.description).toMatch(
      /^must be one of DISK_BUS_VIRTIO, .* \(got "DISK_BUS_USB"\)$/,
    );
    expect(found.find((v) => v.field === "colour")?.description).toBe(
      "is not a field of limiquantix.compute.v1.CreateVMRequest",
    );
  });

  it("takes what protobuf JSON takes: proto and JSON names, enum numbers, nulls, well-known types", () => {
    expect(
      jsonViolations(compute.UpdateVMRequestSchema, {
        id: "vm-1",
        resource_version: "3",
        spec: { desired_power_state: 1, description: null },
        updateMask: "spec.description,labels",
      }),
    ).toEqual([]);
    expect(jsonViolations(compute.UpdateVMRequestSchema, { updateMask: 5 })[0]?.field).toBe("update_mask");
  });

  it("refuses a request that is not a JSON object", () => {
    expect(jsonViolations(compute.GetVMRequestSchema, ["vm-1"])).toEqual([
      { field: "(request)", description: 'must be a JSON object (got ["vm-1"])' },
    ]);
  });

  it("rewords protobuf's decoding messages as field rules", () => {
    expect(describeDecodeError('cannot decode field x.Y.z from JSON: expected number (int32), got "x"')).toBe(
      'must be a number (int32) (got "x")',
    );
  });
});
