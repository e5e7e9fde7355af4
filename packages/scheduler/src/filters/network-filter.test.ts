import { describe, expect, it } from "vitest";
import { network, node, vm } from "../../test/builders";
import { filterOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { networkFilter } from "./network-filter";

const withNics = (...networkIds: string[]) =>
  vm("v", { spec: { nics: networkIds.map((networkId, i) => ({ name: `nic${i}`, networkId })) } });

describe("network filter", () => {
  const snap = new ClusterSnapshot({
    nodes: [node("a"), node("b")],
    networks: [network("vlan-a", ["a"]), network("overlay")],
  });

  it("skips a VM whose networks every node carries", () => {
    expect(filterOn(networkFilter, snap, withNics("overlay"), "b")).toBe("skipped");
  });

  it("rejects a node that does not carry one of the VM's networks", () => {
    expect(filterOn(networkFilter, snap, withNics("overlay", "vlan-a"), "a")).toBeUndefined();
    expect(filterOn(networkFilter, snap, withNics("overlay", "vlan-a"), "b")).toBe(
      'does not carry network "vlan-a"',
    );
  });

  it("throws NotFound for a network the snapshot does not know", () => {
    expect(() => filterOn(networkFilter, snap, withNics("ghost"), "a")).toThrow(
      /VirtualNetwork ghost not found/,
    );
  });

  it("rejects as a network rule that binds running VMs", () => {
    expect(traitsOn(networkFilter, snap, withNics("vlan-a"), "b")).toEqual({
      kind: "network",
      bindsRunning: true,
    });
  });
});
