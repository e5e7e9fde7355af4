import { describe, expect, it } from "vitest";
import type { NodeStatus } from "../../entities/node";
import type { VmStatus } from "../../entities/virtual-machine";
import { fixtures, uniqueName } from "../fixtures";
import { expectDomainError } from "../support";
import type { RepositoryHarness } from "./harness";

/** specialSuite registers tests of the methods beyond CRUD that engines rely on. */
export function specialSuite(harness: () => RepositoryHarness): void {
  const r = () => harness().repos;
  const cluster = async () => (await r().clusters.create(fixtures.cluster())).id;
  const project = async () => (await r().projects.create(fixtures.project())).id;

  describe("projects", () => {
    it("stores a project's status (its counted use) and leaves an absent one absent", async () => {
      const bare = await r().projects.create(fixtures.project({ quota: {} }));
      expect(bare.status).toBeUndefined();
      expect((await r().projects.get(bare.id)).status).toBeUndefined();
      const usage = { vcpus: 4, memoryMib: 4096, vms: 2, volumes: 1, storageGib: 20 };
      const counted = await r().projects.update({ ...bare, quota: { vms: 5 }, status: { usage } });
      expect((await r().projects.get(bare.id)).status).toEqual({ usage });
      const { status: _dropped, ...uncounted } = counted;
      await r().projects.update({ ...uncounted, quota: {} });
      expect((await r().projects.get(bare.id)).status).toBeUndefined();
    });
  });

  describe("clusters", () => {
    it("stores a cluster's DRS status and leaves an absent one absent", async () => {
      const bare = await r().clusters.create(fixtures.cluster());
      expect(bare.status).toBeUndefined();
      expect((await r().clusters.get(bare.id)).status).toBeUndefined();
      const drs = {
        lastRunAt: "2026-01-01T00:05:00.000Z",
        nextRunAt: "2026-01-01T00:10:00.000Z",
        imbalanceBefore: 0.25,
        imbalanceAfter: 0.05,
        lastResult: "2 recommendations",
        runRequests: 3,
        runsServed: 2,
        runRequestedAt: "2026-01-01T00:06:00.000Z",
      };
      const reported = await r().clusters.update({ ...bare, status: { drs } });
      expect((await r().clusters.get(bare.id)).status).toEqual({ drs });
      expect(reported.resourceVersion).toBeGreaterThan(bare.resourceVersion);
      const { status: _dropped, ...rest } = reported;
      await r().clusters.update(rest);
      expect((await r().clusters.get(bare.id)).status).toBeUndefined();
    });
  });

  describe("DRS recommendations", () => {
    it("keeps every state of a recommendation's lifecycle and filters by them", async () => {
      const clusterId = await cluster();
      const rec = await r().drsRecommendations.create(fixtures.drsRecommendation({ clusterId }));
      const applying = await r().drsRecommendations.update({
        ...rec,
        state: "APPLYING",
        decidedBy: "drs",
        decidedAt: "2026-01-01T00:01:00.000Z",
      });
      const other = await r().drsRecommendations.create(
        fixtures.drsRecommendation({ clusterId, state: "SUPERSEDED" }),
      );
      const listed = await r().drsRecommendations.list({ clusterId, states: ["APPLYING", "SUPERSEDED"] });
      expect(listed.items.map((x) => [x.id, x.state])).toEqual(
        [
          [applying.id, "APPLYING"],
          [other.id, "SUPERSEDED"],
        ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
      );
      const failed = await r().drsRecommendations.update({
        ...applying,
        state: "FAILED",
        error: "migration to node-target failed: unreachable",
      });
      expect(await r().drsRecommendations.get(rec.id)).toEqual(failed);
      expect(await r().drsRecommendations.count({ clusterId, states: ["APPLYING"] })).toBe(0);
    });
  });

  describe("nodes", () => {
    it("findByHostname returns the node with that hostname, or undefined", async () => {
      const node = await r().nodes.create(fixtures.node());
      expect(await r().nodes.findByHostname(node.spec.hostname)).toEqual(node);
      expect(await r().nodes.findByHostname(`${uniqueName("absent")}.lab.example`)).toBeUndefined();
    });

    it("listSchedulable returns only READY, uncordoned compute nodes, by cluster, in id order", async () => {
      const clusterId = await cluster();
      const ok1 = await r().nodes.create(fixtures.node({ clusterId }));
      const ok2 = await r().nodes.create(
        fixtures.node({ clusterId, spec: { roles: ["compute", "storage"] } }),
      );
      const cordoned = await r().nodes.create(fixtures.node({ clusterId, spec: { cordoned: true } }));
      const notReady = await r().nodes.create(fixtures.node({ clusterId, status: { phase: "NOT_READY" } }));
      const maintenance = await r().nodes.create(
        fixtures.node({ clusterId, status: { phase: "MAINTENANCE" } }),
      );
      const storageOnly = await r().nodes.create(fixtures.node({ clusterId, spec: { roles: ["storage"] } }));
      const elsewhere = await r().nodes.create(fixtures.node({ clusterId: await cluster() }));
      const inCluster = await r().nodes.listSchedulable(clusterId);
      expect(inCluster.map((n) => n.id)).toEqual([ok1.id, ok2.id].sort());
      const everywhere = (await r().nodes.listSchedulable()).map((n) => n.id);
      expect(everywhere).toContain(ok1.id);
      expect(everywhere).toContain(elsewhere.id);
      for (const n of [cordoned, notReady, maintenance, storageOnly]) expect(everywhere).not.toContain(n.id);
    });

    it("updateStatus replaces the status, keeps the spec and raises resourceVersion", async () => {
      const node = await r().nodes.create(fixtures.node({ status: { phase: "PENDING" } }));
      const status: NodeStatus = { ...node.status, phase: "READY", message: "joined" };
      const updated = await r().nodes.updateStatus(node.id, status);
      expect(updated.status.phase).toBe("READY");
      expect(updated.status.message).toBe("joined");
      expect(updated.spec).toEqual(node.spec);
      expect(updated.resourceVersion).toBeGreaterThan(node.resourceVersion);
      expect(await r().nodes.get(node.id)).toEqual(updated);
      const again = await r().nodes.updateStatus(
        node.id,
        { ...status, message: "checked" },
        updated.resourceVersion,
      );
      expect(again.resourceVersion).toBeGreaterThan(updated.resourceVersion);
    });

    it("updateStatus with a stale expectedVersion is Conflict; a missing node is NotFound", async () => {
      const node = await r().nodes.create(fixtures.node());
      await r().nodes.updateStatus(node.id, { ...node.status, message: "one" });
      await expectDomainError(
        r().nodes.updateStatus(node.id, { ...node.status, message: "two" }, node.resourceVersion),
        "Conflict",
      );
      expect((await r().nodes.get(node.id)).status.message).toBe("one");
      await expectDomainError(r().nodes.updateStatus(`absent-${node.id}`, node.status), "NotFound");
    });

    it("replaceStatus stores a status on the node as last read or written, and is Conflict once it changed", async () => {
      const nodes = r().nodes;
      if (!nodes.replaceStatus) return expect(nodes.replaceStatus).toBeUndefined();
      const node = await nodes.create(fixtures.node());
      const one = await nodes.replaceStatus(node, { ...node.status, message: "one" });
      expect(one.status.message).toBe("one");
      expect(one.spec).toEqual(node.spec);
      expect(one.createdAt).toBe(node.createdAt);
      expect(one.resourceVersion).toBeGreaterThan(node.resourceVersion);
      expect(await nodes.get(node.id)).toEqual(one);
      // The node as written is current: a second replace from it needs no read.
      const two = await nodes.replaceStatus(one, { ...one.status, message: "two" });
      expect((await nodes.get(node.id)).status.message).toBe("two");
      // From a node as read before those writes: Conflict, nothing stored.
      await expectDomainError(nodes.replaceStatus(node, { ...node.status, message: "stale" }), "Conflict");
      await expectDomainError(nodes.replaceStatus(one, { ...one.status, message: "stale" }), "Conflict");
      expect(await nodes.get(node.id)).toEqual(two);
      await nodes.delete(node.id);
      await expectDomainError(nodes.replaceStatus(two, two.status), "NotFound");
      const bad = { ...node.status, phase: "EXPLODED" } as unknown as NodeStatus;
      const other = await nodes.create(fixtures.node());
      await expectDomainError(nodes.replaceStatus(other, bad), "InvalidArgument");
      expect(await nodes.get(other.id)).toEqual(other);
    });

    it("updateStatus with an invalid status is InvalidArgument and stores nothing", async () => {
      const node = await r().nodes.create(fixtures.node());
      const bad = { ...node.status, phase: "EXPLODED" } as unknown as NodeStatus;
      const error = await expectDomainError(r().nodes.updateStatus(node.id, bad), "InvalidArgument");
      expect(error.message).toContain("status.phase");
      expect(await r().nodes.get(node.id)).toEqual(node);
    });

    it("recordHeartbeat stores time, usage and agent version, keeps the phase, and is a write", async () => {
      const node = await r().nodes.create(fixtures.node());
      const at = "2026-02-03T04:05:06.000Z";
      const beat = await r().nodes.recordHeartbeat(node.id, {
        at,
        usage: { cpuPercent: 42.5, memoryUsedMib: 1024 },
        agentVersion: "1.2.3",
      });
      expect(beat.status.lastHeartbeatAt).toBe(at);
      expect(beat.status.usage).toEqual({ cpuPercent: 42.5, memoryUsedMib: 1024 });
      expect(beat.status.agentVersion).toBe("1.2.3");
      expect(beat.status.phase).toBe(node.status.phase);
      expect(beat.resourceVersion).toBeGreaterThan(node.resourceVersion);
      const later = await r().nodes.recordHeartbeat(node.id, { at: "2026-02-03T04:05:16.000Z" });
      expect(later.status.lastHeartbeatAt).toBe("2026-02-03T04:05:16.000Z");
      expect(later.status.usage).toEqual({ cpuPercent: 42.5, memoryUsedMib: 1024 });
      expect(later.resourceVersion).toBeGreaterThan(beat.resourceVersion);
    });

    it("recordHeartbeat of a missing node is NotFound; an invalid heartbeat is InvalidArgument", async () => {
      await expectDomainError(
        r().nodes.recordHeartbeat(`absent-${uniqueName()}`, { at: "2026-02-03T04:05:06.000Z" }),
        "NotFound",
      );
      const node = await r().nodes.create(fixtures.node());
      await expectDomainError(
        r().nodes.recordHeartbeat(node.id, {
          at: "2026-02-03T04:05:06.000Z",
          usage: { cpuPercent: 150, memoryUsedMib: 1 },
        }),
        "InvalidArgument",
      );
      await expectDomainError(r().nodes.recordHeartbeat(node.id, { at: "yesterday" }), "InvalidArgument");
      expect(await r().nodes.get(node.id)).toEqual(node);
    });
  });

  describe("vms", () => {
    async function placed() {
      const projectId = await project();
      const a = await r().nodes.create(fixtures.node());
      const b = await r().nodes.create(fixtures.node());
      const empty = await r().nodes.create(fixtures.node());
      const onA = [
        await r().vms.create(fixtures.vm({ projectId, status: { nodeId: a.id, powerState: "RUNNING" } })),
        await r().vms.create(fixtures.vm({ projectId, status: { nodeId: a.id } })),
      ];
      const onB = await r().vms.create(fixtures.vm({ projectId, status: { nodeId: b.id } }));
      const unplaced = await r().vms.create(fixtures.vm({ projectId }));
      return { projectId, a, b, empty, onA, onB, unplaced };
    }

    it("listByNode returns every VM placed on the node, in id order", async () => {
      const { a, b, empty, onA, onB } = await placed();
      expect((await r().vms.listByNode(a.id)).map((v) => v.id)).toEqual(onA.map((v) => v.id).sort());
      expect((await r().vms.listByNode(b.id)).map((v) => v.id)).toEqual([onB.id]);
      expect(await r().vms.listByNode(empty.id)).toEqual([]);
    });

    it("countByNode counts the VMs of each node asked for, 0 for a node with none", async () => {
      const { a, b, empty } = await placed();
      const counts = await r().vms.countByNode([a.id, b.id, empty.id]);
      expect(counts.get(a.id)).toBe(2);
      expect(counts.get(b.id)).toBe(1);
      expect(counts.get(empty.id)).toBe(0);
      expect((await r().vms.countByNode([])).size).toBe(0);
    });

    it("totalsByProject counts a project's VMs and adds up their vCPUs and memory, zeros for none", async () => {
      const p1 = await project();
      const p2 = await project();
      await r().vms.create(fixtures.vm({ projectId: p1 }));
      const big = await r().vms.create(
        fixtures.vm({ projectId: p1, spec: { cpu: { vcpus: 8 }, memory: { sizeMib: 16384 } } }),
      );
      await r().vms.create(fixtures.vm({ projectId: p2 }));
      expect(await r().vms.totalsByProject(p1)).toEqual({ vms: 2, vcpus: 10, memoryMib: 18432 });
      expect(await r().vms.totalsByProject(p2)).toEqual({ vms: 1, vcpus: 2, memoryMib: 2048 });
      expect(await r().vms.totalsByProject(await project())).toEqual({ vms: 0, vcpus: 0, memoryMib: 0 });
      await r().vms.delete(big.id);
      expect(await r().vms.totalsByProject(p1)).toEqual({ vms: 1, vcpus: 2, memoryMib: 2048 });
    });

    it("createOnNode stores a VM and its node's new status together, or neither", async () => {
      const vms = r().vms;
      if (!vms.createOnNode) return expect(vms.createOnNode).toBeUndefined();
      const projectId = await project();
      const node = await r().nodes.create(fixtures.node());
      const charge = (n: typeof node, vcpus: number) => ({
        ...n.status,
        allocated: {
          ...n.status.allocated,
          vcpus: n.status.allocated.vcpus + vcpus,
          vmCount: n.status.allocated.vmCount + 1,
        },
      });
      const first = await vms.createOnNode(
        fixtures.vm({ projectId, name: "one", status: { nodeId: node.id } }),
        node,
        charge(node, 2),
      );
      expect(await vms.get(first.vm.id)).toEqual(first.vm);
      expect(await r().nodes.get(node.id)).toEqual(first.node);
      expect(first.node.status.allocated.vcpus).toBe(node.status.allocated.vcpus + 2);
      expect(first.node.createdAt).toBe(node.createdAt);
      expect(first.node.resourceVersion).toBeGreaterThan(node.resourceVersion);
      expect(first.vm.status.nodeId).toBe(node.id);

      // From the node as written, again; from the node as read before: Conflict, nothing stored.
      const second = await vms.createOnNode(
        fixtures.vm({ projectId, name: "two" }),
        first.node,
        charge(first.node, 1),
      );
      await expectDomainError(
        vms.createOnNode(fixtures.vm({ projectId, name: "stale" }), node, charge(node, 1)),
        "Conflict",
      );
      expect(await vms.findByName("stale", projectId)).toBeUndefined();
      expect(await r().nodes.get(node.id)).toEqual(second.node);

      // A name taken in the project: AlreadyExists, and the node is left as it was.
      const taken = await expectDomainError(
        vms.createOnNode(fixtures.vm({ projectId, name: "one" }), second.node, charge(second.node, 4)),
        "AlreadyExists",
      );
      expect(taken.message).toContain("one");
      expect(await r().nodes.get(node.id)).toEqual(second.node);
      expect(await vms.count({ projectId })).toBe(2);

      // A node that is gone: NotFound, no VM.
      const gone = await r().nodes.create(fixtures.node());
      await r().nodes.delete(gone.id);
      await expectDomainError(
        vms.createOnNode(fixtures.vm({ projectId, name: "orphan" }), gone, gone.status),
        "NotFound",
      );
      expect(await vms.findByName("orphan", projectId)).toBeUndefined();
    });

    it("updateStatus places a VM and changes its power state, keeping the spec", async () => {
      const { unplaced, b } = await placed();
      const status: VmStatus = { ...unplaced.status, nodeId: b.id, powerState: "STARTING" };
      const updated = await r().vms.updateStatus(unplaced.id, status, unplaced.resourceVersion);
      expect(updated.status.nodeId).toBe(b.id);
      expect(updated.status.powerState).toBe("STARTING");
      expect(updated.spec).toEqual(unplaced.spec);
      expect(updated.resourceVersion).toBeGreaterThan(unplaced.resourceVersion);
      expect((await r().vms.listByNode(b.id)).map((v) => v.id)).toContain(unplaced.id);
      expect((await r().vms.list({ nodeId: b.id, states: ["STARTING"] })).items.map((v) => v.id)).toEqual([
        unplaced.id,
      ]);
    });

    it("updateStatus with a stale expectedVersion is Conflict; missing is NotFound; invalid is InvalidArgument", async () => {
      const { unplaced } = await placed();
      await r().vms.updateStatus(unplaced.id, { ...unplaced.status, message: "first" });
      await expectDomainError(
        r().vms.updateStatus(
          unplaced.id,
          { ...unplaced.status, message: "second" },
          unplaced.resourceVersion,
        ),
        "Conflict",
      );
      await expectDomainError(r().vms.updateStatus(`absent-${unplaced.id}`, unplaced.status), "NotFound");
      const bad = { ...unplaced.status, powerState: "HALF_ON" } as unknown as VmStatus;
      await expectDomainError(r().vms.updateStatus(unplaced.id, bad), "InvalidArgument");
      expect((await r().vms.get(unplaced.id)).status.message).toBe("first");
    });

    it("findByName is scoped to the project: the same name in two projects is two VMs", async () => {
      const p1 = await project();
      const p2 = await project();
      const name = uniqueName("web");
      const v1 = await r().vms.create(fixtures.vm({ projectId: p1, name }));
      const v2 = await r().vms.create(fixtures.vm({ projectId: p2, name }));
      expect((await r().vms.findByName(name, p1))?.id).toBe(v1.id);
      expect((await r().vms.findByName(name, p2))?.id).toBe(v2.id);
    });
  });

  describe("volumes", () => {
    it("sumSizeByPool adds up the sizes of the pool's volumes, 0 for an empty pool", async () => {
      const projectId = await project();
      const pool = await r().storagePools.create(fixtures.storagePool());
      const other = await r().storagePools.create(fixtures.storagePool());
      const empty = await r().storagePools.create(fixtures.storagePool());
      await r().volumes.create(fixtures.volume({ projectId, spec: { poolId: pool.id, sizeGib: 20 } }));
      const big = await r().volumes.create(
        fixtures.volume({ projectId, spec: { poolId: pool.id, sizeGib: 30 } }),
      );
      await r().volumes.create(fixtures.volume({ projectId, spec: { poolId: other.id, sizeGib: 7 } }));
      expect(await r().volumes.sumSizeByPool(pool.id)).toBe(50);
      expect(await r().volumes.sumSizeByPool(other.id)).toBe(7);
      expect(await r().volumes.sumSizeByPool(empty.id)).toBe(0);
      await r().volumes.delete(big.id);
      expect(await r().volumes.sumSizeByPool(pool.id)).toBe(20);
    });

    it("totalsByProject counts a project's volumes across pools and adds up their sizes, zeros for none", async () => {
      const p1 = await project();
      const p2 = await project();
      const pool = await r().storagePools.create(fixtures.storagePool());
      const other = await r().storagePools.create(fixtures.storagePool());
      await r().volumes.create(fixtures.volume({ projectId: p1, spec: { poolId: pool.id, sizeGib: 20 } }));
      const big = await r().volumes.create(
        fixtures.volume({ projectId: p1, spec: { poolId: other.id, sizeGib: 30 } }),
      );
      await r().volumes.create(fixtures.volume({ projectId: p2, spec: { poolId: pool.id, sizeGib: 7 } }));
      expect(await r().volumes.totalsByProject(p1)).toEqual({ volumes: 2, storageGib: 50 });
      expect(await r().volumes.totalsByProject(p2)).toEqual({ volumes: 1, storageGib: 7 });
      expect(await r().volumes.totalsByProject(await project())).toEqual({ volumes: 0, storageGib: 0 });
      await r().volumes.delete(big.id);
      expect(await r().volumes.totalsByProject(p1)).toEqual({ volumes: 1, storageGib: 20 });
    });
  });

  describe("alerts", () => {
    it("findActiveByFingerprint finds an open or acknowledged alert, not a resolved one", async () => {
      const alert = await r().alerts.create(fixtures.alert());
      expect((await r().alerts.findActiveByFingerprint(alert.fingerprint))?.id).toBe(alert.id);
      const acked = await r().alerts.update({
        ...alert,
        state: "ACKNOWLEDGED",
        acknowledged: { by: "alice", at: "2026-01-01T00:01:00.000Z" },
      });
      expect((await r().alerts.findActiveByFingerprint(alert.fingerprint))?.id).toBe(alert.id);
      await r().alerts.update({
        ...acked,
        state: "RESOLVED",
        resolved: { by: "bob", at: "2026-01-01T00:02:00.000Z" },
      });
      expect(await r().alerts.findActiveByFingerprint(alert.fingerprint)).toBeUndefined();
      expect(await r().alerts.findActiveByFingerprint(uniqueName("fp"))).toBeUndefined();
    });

    it("a fingerprint raised again after resolution finds the new alert", async () => {
      const first = await r().alerts.create(fixtures.alert({ state: "RESOLVED" }));
      const second = await r().alerts.create(fixtures.alert({ fingerprint: first.fingerprint }));
      expect((await r().alerts.findActiveByFingerprint(first.fingerprint))?.id).toBe(second.id);
    });
  });

  describe("users", () => {
    it("findByEmail and findByName (username) find the user, or undefined", async () => {
      const user = await r().users.create(fixtures.user());
      expect(await r().users.findByEmail(user.email)).toEqual(user);
      expect(await r().users.findByName(user.username)).toEqual(user);
      expect(await r().users.findByEmail(`${uniqueName("nobody")}@example.com`)).toBeUndefined();
      expect(await r().users.findByName(uniqueName("nobody"))).toBeUndefined();
    });

    it("a second user with the same email but another username is AlreadyExists", async () => {
      const user = await r().users.create(fixtures.user());
      await expectDomainError(r().users.create(fixtures.user({ email: user.email })), "AlreadyExists");
      await expectDomainError(r().users.create(fixtures.user({ username: user.username })), "AlreadyExists");
    });
  });
}
