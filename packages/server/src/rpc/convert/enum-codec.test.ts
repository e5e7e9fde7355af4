import { compute, storage } from "@limiquantix/api";
import { describe, expect, it } from "vitest";
import { enumCodec, upperSnake } from "./enum-codec";

describe("enumCodec", () => {
  const poolType = enumCodec<"nfs" | "ceph-rbd">(
    storage.StoragePoolType,
    ["nfs", "ceph-rbd"],
    "StoragePoolType",
  );

  it("lists the values by the names the wire takes, not the generated short names", () => {
    expect(poolType.wireNames).toEqual(["STORAGE_POOL_TYPE_NFS", "STORAGE_POOL_TYPE_CEPH_RBD"]);
    expect(() => poolType.fromProto(99, "spec.type")).toThrow(
      "spec.type must be one of STORAGE_POOL_TYPE_NFS, STORAGE_POOL_TYPE_CEPH_RBD (got 99)",
    );
    expect(() => poolType.required(0, "spec.type")).toThrow(
      "spec.type is required: one of STORAGE_POOL_TYPE_NFS",
    );
  });

  it("finds nested enums by their parent's name, and takes a descriptor directly", () => {
    expect(enumCodec(compute.HostRule_Type, ["run-on"], "HostRule.Type").wireNames).toEqual(["TYPE_RUN_ON"]);
    expect(enumCodec(compute.PowerStateSchema, ["Running"], "PowerState").wireNames).toEqual([
      "POWER_STATE_RUNNING",
    ]);
  });

  it("converts both ways and leaves UNSPECIFIED to the caller", () => {
    expect(poolType.toProto("nfs")).toBe(storage.StoragePoolType.NFS);
    expect(poolType.fromProto(storage.StoragePoolType.CEPH_RBD, "type")).toBe("ceph-rbd");
    expect(poolType.fromProto(0, "type")).toBeUndefined();
  });

  it("refuses at start-up an enum the API does not have or a value without a pair", () => {
    expect(() => enumCodec({ UNSPECIFIED: 0, A: 1 }, ["a"], "NoSuchEnum")).toThrow(/no enum of the API/);
    expect(() => enumCodec(storage.StoragePoolType, ["floppy"], "StoragePoolType")).toThrow(
      /no value for floppy/,
    );
  });

  it("normalises domain values to proto names", () => {
    expect(upperSnake("NoSchedule")).toBe("NO_SCHEDULE");
    expect(upperSnake("run-on")).toBe("RUN_ON");
  });
});
