import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { filterOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { vmAffinityFilter } from "./vm-affinity-filter";

const term = (app: string, topologyKey = "node") => ({
  selector: [{ key: "app", operator: "=", values: [app] }],
  topologyKey,
});
const anti = (id: string, app: string, topologyKey = "node", nodeId?: string) =>
  vm(id, {
    labels: { app },
    nodeId,
    spec: { affinity: { vmAntiAffinity: { required: [term(app, topologyKey)] } } },
  });

describe("vm-affinity filter", () => {
  const nodes = [
    node("n1", { labels: { zone: "a" } }),
    node("n2", { labels: { zone: "a" } }),
    node("n3", { labels: { zone: "b" } }),
    node("n4"),
  ];

  it("keeps required anti-affinity members on different nodes and names the blocking vm", () => {
    const snap = new ClusterSnapshot({ nodes, vms: [vm("db-1", { labels: { app: "db" }, nodeId: "n1" })] });
    const v = anti("db-2", "db");
    expect(filterOn(vmAffinityFilter, snap, v, "n1")).toBe('anti-affinity with vm "db-1"');
    expect(filterOn(vmAffinityFilter, snap, v, "n2")).toBeUndefined();
  });

  it("spreads by zone when the topology key is a node label", () => {
    const snap = new ClusterSnapshot({ nodes, vms: [vm("db-1", { labels: { app: "db" }, nodeId: "n1" })] });
    const v = anti("db-2", "db", "zone");
    expect(filterOn(vmAffinityFilter, snap, v, "n2")).toBe('anti-affinity with vm "db-1"');
    expect(filterOn(vmAffinityFilter, snap, v, "n3")).toBeUndefined();
    expect(filterOn(vmAffinityFilter, snap, v, "n4")).toBeUndefined();
  });

  it("honours a placed VM's anti-affinity against the newcomer (symmetry)", () => {
    const snap = new ClusterSnapshot({ nodes, vms: [anti("db-1", "db", "node", "n1")] });
    const plain = vm("db-2", { labels: { app: "db" } });
    expect(filterOn(vmAffinityFilter, snap, plain, "n1")).toBe('anti-affinity with vm "db-1"');
    expect(filterOn(vmAffinityFilter, snap, plain, "n2")).toBeUndefined();
  });

  it("requires a selected VM in the same domain for required affinity", () => {
    const snap = new ClusterSnapshot({
      nodes,
      vms: [vm("cache-1", { labels: { app: "cache" }, nodeId: "n3" })],
    });
    const v = vm("web-1", { spec: { affinity: { vmAffinity: { required: [term("cache", "zone")] } } } });
    expect(filterOn(vmAffinityFilter, snap, v, "n3")).toBeUndefined();
    expect(filterOn(vmAffinityFilter, snap, v, "n1")).toBe(
      'affinity: no vm matching "app=cache" in the same "zone" domain',
    );
    expect(filterOn(vmAffinityFilter, snap, v, "n4")).toBe(
      'affinity: no vm matching "app=cache" in the same "zone" domain',
    );
  });

  it("lets the first member of a self-selecting affinity group go anywhere", () => {
    const snap = new ClusterSnapshot({ nodes });
    const v = vm("web-1", {
      labels: { app: "web" },
      spec: { affinity: { vmAffinity: { required: [term("web")] } } },
    });
    expect(filterOn(vmAffinityFilter, snap, v, "n2")).toBe("skipped");
  });

  it("rejects every node for required affinity to a group that does not exist", () => {
    const snap = new ClusterSnapshot({ nodes });
    const v = vm("web-1", { spec: { affinity: { vmAffinity: { required: [term("ghost")] } } } });
    expect(filterOn(vmAffinityFilter, snap, v, "n1")).toMatch(/^affinity: no vm matching "app=ghost"/);
  });

  it("does not count the VM against itself when it is already placed", () => {
    const self = anti("db-1", "db", "node", "n1");
    const snap = new ClusterSnapshot({ nodes, vms: [self] });
    expect(filterOn(vmAffinityFilter, snap, self, "n1")).toBe("skipped");
  });

  it("rejects as an affinity rule that binds running VMs, for anti-affinity and affinity alike", () => {
    const snap = new ClusterSnapshot({ nodes, vms: [vm("db-1", { labels: { app: "db" }, nodeId: "n1" })] });
    const affinity = { kind: "affinity", bindsRunning: true };
    expect(traitsOn(vmAffinityFilter, snap, anti("db-2", "db"), "n1")).toEqual(affinity);
    const web = vm("web-1", { spec: { affinity: { vmAffinity: { required: [term("db", "zone")] } } } });
    expect(traitsOn(vmAffinityFilter, snap, web, "n3")).toEqual(affinity);
  });
});
