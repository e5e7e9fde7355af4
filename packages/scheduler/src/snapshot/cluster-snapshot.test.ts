import { parseLabelSelector } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { ClusterSnapshot } from "./cluster-snapshot";

const anti = (id: string, nodeId?: string) =>
  vm(id, {
    labels: { app: "db" },
    nodeId,
    spec: { affinity: { vmAntiAffinity: { required: [{ selector: parseLabelSelector("app=db") }] } } },
  });

describe("ClusterSnapshot", () => {
  it("derives capacity from allocatable and the default overcommit", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a", { vcpus: 8, memoryMib: 16_384 })] });
    expect(snap.node("a")?.capacity).toEqual({ vcpus: 16, memoryMib: 24_576 });
  });

  it("tracks allocation as VMs are added, moved and removed", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b")] });
    snap.upsertVm(vm("v", { nodeId: "a", vcpus: 2 }));
    expect(snap.node("a")?.allocated).toEqual({ vcpus: 2, memoryMib: 1024, vmCount: 1 });
    snap.upsertVm(vm("v", { nodeId: "b", vcpus: 2 }));
    expect(snap.node("a")?.allocated.vcpus).toBe(0);
    expect(snap.node("b")?.allocated.vcpus).toBe(2);
    expect([...snap.vmsOn("b")].map((v) => v.id)).toEqual(["v"]);
    snap.removeVm("v");
    expect(snap.node("b")?.allocated.vmCount).toBe(0);
  });

  it("keeps allocation when a node is updated, and recounts it when a removed node returns", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")], vms: [vm("v", { nodeId: "a", vcpus: 3 })] });
    snap.upsertNode(node("a", { cordoned: true }));
    expect(snap.node("a")?.allocated.vcpus).toBe(3);
    expect(snap.node("a")?.schedulable).toBe(false);
    snap.removeNode("a");
    expect(snap.nodes()).toHaveLength(0);
    snap.upsertNode(node("a"));
    expect(snap.node("a")?.allocated.vcpus).toBe(3);
  });

  it("orders nodes by id whatever order they arrive in", () => {
    const snap = new ClusterSnapshot({ nodes: [node("c"), node("a")] });
    snap.upsertNode(node("b"));
    expect(snap.nodes().map((n) => n.id)).toEqual(["a", "b", "c"]);
  });

  it("reverts a reservation of an existing VM to its previous placement", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b")], vms: [vm("v", { nodeId: "a" })] });
    const r = snap.reserve(snap.vm("v")!.vm, "b");
    expect(snap.vm("v")?.nodeId).toBe("b");
    snap.revert(r);
    expect(snap.vm("v")?.nodeId).toBe("a");
    expect(snap.node("b")?.allocated.vmCount).toBe(0);
  });

  it("refuses to reserve on a node it does not hold", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")] });
    expect(() => snap.reserve(vm("v"), "ghost")).toThrow(/node ghost: the node is not in the snapshot/);
  });

  it("throws NotFound when removing what it does not hold", () => {
    const snap = new ClusterSnapshot();
    expect(() => snap.removeNode("x")).toThrow(/Node x not found/);
    expect(() => snap.removeVm("y")).toThrow(/VirtualMachine y not found/);
  });

  it("keeps its label index in step: only placed VMs are found by selector", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")], vms: [vm("p", { labels: { app: "db" } })] });
    const db = parseLabelSelector("app=db");
    expect([...snap.placedVmsMatching(db)]).toHaveLength(0);
    snap.upsertVm(vm("p", { labels: { app: "db" }, nodeId: "a" }));
    expect([...snap.placedVmsMatching(db)].map((v) => v.id)).toEqual(["p"]);
    snap.upsertVm(vm("p", { labels: { app: "web" }, nodeId: "a" }));
    expect([...snap.placedVmsMatching(db)]).toHaveLength(0);
    expect([...snap.placedVmsMatching(parseLabelSelector("app in (web,x)"))].map((v) => v.id)).toEqual(["p"]);
    expect([...snap.placedVmsMatching(parseLabelSelector("app!=db"))].map((v) => v.id)).toEqual(["p"]);
  });

  it("finds placed VMs by any selector, each once, wherever they are placed", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a")],
      vms: [
        vm("p", { labels: { app: "db", tier: "gold" }, nodeId: "a" }),
        vm("q", { labels: { app: "web" }, nodeId: "ghost" }),
        vm("r", { labels: { app: "web" } }),
      ],
    });
    const ids = (s: string) => [...snap.placedVmsMatching(parseLabelSelector(s))].map((v) => v.id).sort();
    expect(ids("app")).toEqual(["p", "q"]);
    expect(ids("tier")).toEqual(["p"]);
    expect(ids("app in (web,web,db)")).toEqual(["p", "q"]);
    expect(ids("!tier")).toEqual(["q"]);
    expect(ids("")).toEqual(["p", "q"]);
    expect(ids("app=cache")).toEqual([]);
    snap.removeVm("q");
    expect(ids("app notin (db)")).toEqual([]);
  });

  it("indexes placed VMs' anti-affinity terms by the labels they select", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")], vms: [anti("d1", "a")] });
    expect([...snap.antiAffinityHoldersFor({ app: "db" })].map((h) => h.holder.id)).toEqual(["d1"]);
    expect([...snap.antiAffinityHoldersFor({ app: "web" })]).toHaveLength(0);
    snap.removeVm("d1");
    expect([...snap.antiAffinityHoldersFor({ app: "db" })]).toHaveLength(0);
  });

  it("keeps the later of two VMs given with one id, as upserting them in turn would", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a"), node("b")],
      vms: [
        vm("v", { nodeId: "a", vcpus: 2, labels: { app: "db" } }),
        vm("w", { nodeId: "a", vcpus: 1, labels: { app: "db" } }),
        vm("v", { nodeId: "b", vcpus: 3, labels: { app: "web" } }),
      ],
    });
    expect(snap.node("a")?.allocated).toEqual({ vcpus: 1, memoryMib: 1024, vmCount: 1 });
    expect(snap.node("b")?.allocated).toEqual({ vcpus: 3, memoryMib: 1024, vmCount: 1 });
    expect([...snap.vms()].map((v) => v.id).sort()).toEqual(["v", "w"]);
    expect([...snap.placedVmsMatching(parseLabelSelector("app=db"))].map((v) => v.id)).toEqual(["w"]);
    expect(snap.version).toBeGreaterThanOrEqual(3);
  });

  it("finds VMs it was built with by label, and forgets them when they go", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a")],
      vms: [anti("d1", "a"), anti("d2", "a"), vm("x", { labels: { app: "db" } })],
    });
    const db = parseLabelSelector("app=db");
    expect([...snap.placedVmsMatching(db)].map((v) => v.id).sort()).toEqual(["d1", "d2"]);
    expect([...snap.antiAffinityHoldersFor({ app: "db" })].map((h) => h.holder.id).sort()).toEqual([
      "d1",
      "d2",
    ]);
    snap.removeVm("d1");
    expect([...snap.placedVmsMatching(db)].map((v) => v.id)).toEqual(["d2"]);
    expect([...snap.antiAffinityHoldersFor({ app: "db" })].map((h) => h.holder.id)).toEqual(["d2"]);
  });

  it("bumps its version on every write", () => {
    const snap = new ClusterSnapshot();
    const v0 = snap.version;
    snap.upsertNode(node("a"));
    expect(snap.version).toBeGreaterThan(v0);
  });
});
