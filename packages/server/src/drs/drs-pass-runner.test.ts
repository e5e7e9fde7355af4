import type { DrsRecommendation } from "@limiquantix/domain";
import { afterEach, describe, expect, it } from "vitest";
import { type DrsHarness, holdMigrations, skewedCluster, startDrsHarness } from "./drs-test-support";

let h: DrsHarness;
afterEach(async () => {
  await h?.close();
});

const recs = () => h.services.deps.repos.drsRecommendations;
const ofState = async (state: DrsRecommendation["state"]) =>
  (await recs().list({ clusterId: h.clusterId, states: [state] })).items;

/**
 * settle runs passes until one starts no migration; each pass's migrations are held until the pass
 * is over (so the caps see them in flight), then let go and awaited. It returns every pass's count.
 */
async function settle(hold: { release(): void }, maxPasses = 6): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < maxPasses; i++) {
    const report = await h.passes.run(h.clusterId);
    counts.push(report.started.length);
    hold.release();
    const ended = await Promise.all(report.started.map((s) => s.done));
    expect(ended.map((r) => r.state)).toEqual(ended.map(() => "APPLIED"));
    if (report.started.length === 0) return counts;
    h.clock.advance(60_000);
  }
  throw new Error(`DRS did not settle in ${maxPasses} passes: ${counts.join(", ")}`);
}

describe("a DRS pass", () => {
  it("recommends moves off a skewed node in manual mode and applies none", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    const { nodes, vms } = await skewedCluster(h);
    const report = await h.passes.run(h.clusterId);
    expect(report.started).toEqual([]);
    expect(report.imbalanceBefore).toBeGreaterThan(report.imbalanceAfter);
    const pending = await ofState("PENDING");
    expect(pending.length).toBeGreaterThanOrEqual(2);
    for (const r of pending) {
      expect(r).toMatchObject({ type: "MIGRATE", sourceNodeId: nodes[0], clusterId: h.clusterId });
      expect([nodes[1], nodes[2]]).toContain(r.targetNodeId);
      expect(r.reason).not.toBe("");
      expect(r.impact.imbalanceAfter).toBeLessThan(r.impact.imbalanceBefore);
      expect(["HIGH", "MEDIUM", "LOW"]).toContain(r.priority);
    }
    for (const id of vms) expect(await h.nodeOf(id)).toBe(nodes[0]);
    const cluster = await h.services.deps.repos.clusters.get(h.clusterId);
    expect(cluster.status?.drs).toMatchObject({
      lastRunAt: "2026-03-01T08:00:00.000Z",
      nextRunAt: "2026-03-01T08:05:00.000Z",
      imbalanceBefore: report.imbalanceBefore,
      imbalanceAfter: report.imbalanceAfter,
    });
  });

  it("keeps what it still proposes on the next pass and supersedes what it no longer does, without duplicates", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    const { vms } = await skewedCluster(h);
    await h.passes.run(h.clusterId);
    const first = (await ofState("PENDING")).map((r) => r.id).sort();
    h.clock.advance(300_000);
    const again = await h.passes.run(h.clusterId);
    expect(again.created).toBe(0);
    expect(again.superseded).toBe(0);
    expect((await ofState("PENDING")).map((r) => r.id).sort()).toEqual(first);

    // Two of the VMs go away: the plan changes and the stale proposals give way to new ones.
    for (const id of vms.slice(0, 2)) await h.services.vms.delete(h.ctx, id, { force: true });
    await h.services.relay.caughtUp();
    h.clock.advance(300_000);
    const third = await h.passes.run(h.clusterId);
    const pending = await ofState("PENDING");
    const superseded = await ofState("SUPERSEDED");
    expect(third.superseded).toBe(superseded.length);
    expect(superseded.length).toBeGreaterThan(0);
    for (const r of superseded) expect(r.error).toMatch(/no longer proposes it/);
    const perVm = new Set(pending.map((r) => r.vmId));
    expect(perVm.size).toBe(pending.length);
    expect(pending.every((r) => !vms.slice(0, 2).includes(r.vmId!))).toBe(true);
  });

  it("under full automation moves VMs within the per-node cap, and settles with no VM moved twice or back", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "full" });
    const { nodes, vms } = await skewedCluster(h);
    const counts = await settle(holdMigrations(h, nodes[0]));
    // Node a takes part in every move, so at most two run at once (drs.parallelMigrationsPerNode).
    expect(Math.max(...counts)).toBe(2);
    expect(counts.at(-1)).toBe(0);
    const placed = await Promise.all(vms.map((id) => h.nodeOf(id)));
    const perNode = nodes.map((n) => placed.filter((p) => p === n).length);
    expect(perNode).toEqual([2, 2, 2]);
    const applied = await ofState("APPLIED");
    expect(applied).toHaveLength(4);
    expect(new Set(applied.map((r) => r.vmId)).size).toBe(4);
    expect(applied.every((r) => r.sourceNodeId === nodes[0] && r.decidedBy === "drs")).toBe(true);
    // One more pass after the cooldown still finds nothing to do: the cluster is balanced.
    h.clock.advance(31 * 60_000);
    const after = await h.passes.run(h.clusterId);
    expect(after.proposed).toEqual([]);
    expect(after.started).toEqual([]);
  });

  it("starts no more migrations than the cluster cap allows", async () => {
    h = await startDrsHarness({ drs: { parallelMigrationsPerCluster: 1 } });
    await h.setDrs({ automationLevel: "full" });
    const { nodes } = await skewedCluster(h);
    const hold = holdMigrations(h, nodes[0]);
    const report = await h.passes.run(h.clusterId);
    expect(report.started).toHaveLength(1);
    expect(report.held).toBeGreaterThan(0);
    expect((await ofState("PENDING")).length).toBe(report.held);
    const status = await h.drs.status(h.ctx, h.clusterId);
    expect(status).toMatchObject({ migrationsInFlight: 1, applying: 1, pending: report.held });
    hold.release();
    await Promise.all(report.started.map((s) => s.done));
    expect((await h.drs.status(h.ctx, h.clusterId)).migrationsInFlight).toBe(0);
  });

  it("leaves a VM DRS moved within the cooldown where it is, and may move it again after", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual", migrationThreshold: 5 });
    const { nodes, vms } = await skewedCluster(h);
    // Four of the six came to a from b ten minutes ago, by DRS.
    const moved = vms.slice(0, 4);
    for (const vmId of moved)
      await recs().create({
        id: h.services.deps.ids.next(),
        labels: {},
        clusterId: h.clusterId,
        priority: "MEDIUM",
        type: "MIGRATE",
        vmId,
        sourceNodeId: nodes[1],
        targetNodeId: nodes[0],
        reason: "earlier pass",
        impact: { imbalanceBefore: 0.3, imbalanceAfter: 0.2 },
        state: "APPLIED",
        decidedBy: "drs",
        appliedAt: new Date(h.clock.now().getTime() - 10 * 60_000).toISOString(),
      });
    const within = await h.passes.run(h.clusterId);
    expect(within.proposed.length).toBeGreaterThan(0);
    expect(within.proposed.every((r) => !moved.includes(r.vmId!))).toBe(true);

    h.clock.advance(21 * 60_000);
    const after = await h.passes.run(h.clusterId);
    expect(after.proposed.some((r) => moved.includes(r.vmId!))).toBe(true);
  });

  it("does not propose again, within the cooldown, a VM whose move was rejected", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    await skewedCluster(h);
    await h.passes.run(h.clusterId);
    const [first] = await ofState("PENDING");
    await h.drs.reject(h.ctx, first!.id, "not during business hours");
    h.clock.advance(5 * 60_000);
    const next = await h.passes.run(h.clusterId);
    expect(next.proposed.map((r) => r.vmId)).not.toContain(first!.vmId);
    const rejected = await recs().get(first!.id);
    expect(rejected).toMatchObject({ state: "REJECTED", error: "rejected: not during business hours" });
  });

  it("applies approved recommendations at its next pass, whatever the automation level", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    await skewedCluster(h);
    await h.passes.run(h.clusterId);
    const [chosen] = await ofState("PENDING");
    await h.drs.approve(h.ctx, chosen!.id);
    const next = await h.passes.run(h.clusterId);
    expect(next.started.map((s) => s.recommendation.id)).toEqual([chosen!.id]);
    const [done] = await Promise.all(next.started.map((s) => s.done));
    expect(done).toMatchObject({ state: "APPLIED", decidedBy: "test" });
    expect(await h.nodeOf(chosen!.vmId!)).toBe(chosen!.targetNodeId);
  });

  it("records the outcome of an APPLYING recommendation nobody follows, from where its VM is", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    const { nodes, vms } = await skewedCluster(h);
    const orphan = await recs().create({
      id: h.services.deps.ids.next(),
      labels: {},
      clusterId: h.clusterId,
      priority: "MEDIUM",
      type: "MIGRATE",
      vmId: vms[0]!,
      sourceNodeId: nodes[1],
      targetNodeId: nodes[0],
      reason: "applied by a replica that stopped",
      impact: { imbalanceBefore: 0.3, imbalanceAfter: 0.2 },
      state: "APPLYING",
      decidedBy: "alice",
    });
    await h.passes.run(h.clusterId);
    expect((await recs().get(orphan.id)).state).toBe("APPLYING");
    h.clock.advance(2 * 60_000);
    await h.passes.run(h.clusterId);
    expect(await recs().get(orphan.id)).toMatchObject({
      state: "APPLIED",
      appliedAt: h.clock.now().toISOString(),
    });
  });

  it("records a disabled cluster's requested pass as doing nothing", async () => {
    h = await startDrsHarness();
    await skewedCluster(h);
    await h.setDrs({ enabled: false });
    const report = await h.passes.run(h.clusterId);
    expect(report.stoppedBy).toBe("disabled");
    expect(await ofState("PENDING")).toEqual([]);
    const cluster = await h.services.deps.repos.clusters.get(h.clusterId);
    expect(cluster.status?.drs?.lastResult).toMatch(/disabled/);
  });
});
