import { hasErrorCode } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, pool, vm, volume } from "../../test/builders";
import { filterOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { storageFilter } from "./storage-filter";

const withDisks = (...volumeIds: string[]) =>
  vm("v", { spec: { disks: volumeIds.map((volumeId, i) => ({ name: `d${i}`, volumeId })) } });

describe("storage filter", () => {
  const snap = new ClusterSnapshot({
    nodes: [node("a"), node("b")],
    storagePools: [pool("local-a", ["a"]), pool("shared")],
    volumes: [volume("vol-a", "local-a"), volume("vol-s", "shared")],
  });

  it("skips a VM whose volumes all live in pools every node reaches", () => {
    expect(filterOn(storageFilter, snap, withDisks("vol-s"), "b")).toBe("skipped");
  });

  it("rejects a node that cannot reach a pool of one of the VM's volumes", () => {
    expect(filterOn(storageFilter, snap, withDisks("vol-s", "vol-a"), "a")).toBeUndefined();
    expect(filterOn(storageFilter, snap, withDisks("vol-s", "vol-a"), "b")).toBe(
      'cannot reach storage pool "local-a"',
    );
  });

  it("fails with NotFound for a volume the snapshot does not know", () => {
    let thrown: unknown;
    try {
      filterOn(storageFilter, snap, withDisks("ghost"), "a");
    } catch (e) {
      thrown = e;
    }
    expect(hasErrorCode(thrown, "NotFound")).toBe(true);
  });

  it("rejects as a storage rule that binds running VMs", () => {
    expect(traitsOn(storageFilter, snap, withDisks("vol-a"), "b")).toEqual({
      kind: "storage",
      bindsRunning: true,
    });
  });

  it("follows a pool whose node list changes", () => {
    snap.upsertStoragePool(pool("local-a", ["a", "b"]));
    expect(filterOn(storageFilter, snap, withDisks("vol-a"), "b")).toBeUndefined();
  });
});
