import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { compute, drs } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import {
  type DrsHarness,
  holdMigrations,
  type SkewedCluster,
  skewedCluster,
  startDrsHarness,
} from "./drs-test-support";

const State = drs.RecommendationState;

let h: DrsHarness;
let cluster: SkewedCluster;
const api = () => h.client(drs.DRSService);
const vms = () => h.client(compute.VMService);

/** pending runs a manual pass and lists what it recommends. */
async function pending(): Promise<drs.Recommendation[]> {
  await h.passes.run(h.clusterId);
  return (await api().getRecommendations({ clusterId: h.clusterId, states: [State.PENDING] }))
    .recommendations;
}

beforeEach(async () => {
  h = await startDrsHarness();
  await h.setDrs({ automationLevel: "manual" });
  cluster = await skewedCluster(h);
});
afterEach(async () => {
  await h.close();
});

describe("DRSService", () => {
  it("lists recommendations by cluster and state, a page at a time", async () => {
    const all = await pending();
    expect(all.length).toBeGreaterThanOrEqual(2);
    const first = await api().getRecommendations({
      clusterId: h.clusterId,
      states: [State.PENDING],
      pageSize: 1,
    });
    expect(first.recommendations).toHaveLength(1);
    expect(first.totalCount).toBe(all.length);
    const second = await api().getRecommendations({
      clusterId: h.clusterId,
      states: [State.PENDING],
      pageSize: 1,
      pageToken: first.nextPageToken,
    });
    expect(second.recommendations[0]?.id).not.toBe(first.recommendations[0]?.id);
    expect((await api().getRecommendations({ states: [State.APPLIED] })).recommendations).toEqual([]);
    expect((await api().getRecommendations({})).totalCount).toBe(all.length);
    await expectCode(api().getRecommendations({ clusterId: "no-such-cluster" }), Code.NotFound);
  });

  it("approves, then applies: the VM migrates with its progress on it, and the recommendation ends APPLIED", async () => {
    const [rec] = await pending();
    const approved = await api().approveRecommendation({
      id: rec!.id,
      resourceVersion: rec!.resourceVersion,
    });
    expect(approved.recommendation).toMatchObject({ state: State.APPROVED, decidedBy: "anonymous" });
    const hold = holdMigrations(h, rec!.sourceNodeId);
    const applied = await api().applyRecommendation({ id: rec!.id });
    expect(applied.recommendation?.state).toBe(State.APPLYING);
    // The answer comes while the move runs: the VM says where it is going.
    const moving = (await vms().getVM({ id: rec!.vmId })).vm!;
    expect(moving.status?.powerState).toBe(compute.PowerState.MIGRATING);
    expect(moving.status?.migration?.targetNodeId).toBe(rec!.targetNodeId);
    hold.release();
    await eventually(async () => {
      const [now] = (await api().getRecommendations({ clusterId: h.clusterId, states: [State.APPLIED] }))
        .recommendations;
      expect(now?.id).toBe(rec!.id);
      expect(now?.applyTime).toBeDefined();
    });
    const vm = (await vms().getVM({ id: rec!.vmId })).vm!;
    expect(vm.status?.nodeId).toBe(rec!.targetNodeId);
    expect(vm.status?.powerState).toBe(compute.PowerState.RUNNING);
    const progress = (await h.adapters.changeLog.read(0, 10_000))
      .filter((e) => e.kind === "VirtualMachine" && e.id === rec!.vmId)
      .map((e) => (e.object as { status: { migration?: { progressPercent: number } } }).status.migration)
      .filter((m) => m !== undefined)
      .map((m) => m.progressPercent);
    // It started at 0 % and the agent's progress reached the VM (progress is advisory: a step may be skipped).
    expect(progress[0]).toBe(0);
    expect(progress.some((p) => p > 0)).toBe(true);
  });

  it("marks an apply whose migration fails FAILED with the reason, and the VM stays", async () => {
    const [rec] = await pending();
    h.adapters.agentPool.host(rec!.sourceNodeId).setReachable(false);
    const applied = await api().applyRecommendation({ id: rec!.id });
    expect(applied.recommendation?.state).toBe(State.APPLYING);
    await eventually(async () => {
      const [failed] = (await api().getRecommendations({ clusterId: h.clusterId, states: [State.FAILED] }))
        .recommendations;
      expect(failed?.id).toBe(rec!.id);
      expect(failed?.error).toMatch(/^migration failed: /);
    });
    expect((await vms().getVM({ id: rec!.vmId })).vm?.status?.nodeId).toBe(rec!.sourceNodeId);
    expect((await api().getStatus({ clusterId: h.clusterId })).status?.applyingRecommendations).toBe(0);
  });

  it("answers an apply the migration refuses to start with its reason, and marks the recommendation FAILED", async () => {
    const [rec] = await pending();
    await h.client(compute.NodeService).cordonNode({ id: rec!.targetNodeId });
    await expectCode(
      api().applyRecommendation({ id: rec!.id }),
      Code.FailedPrecondition,
      /failed: .*cannot move/,
    );
    const [failed] = (await api().getRecommendations({ clusterId: h.clusterId, states: [State.FAILED] }))
      .recommendations;
    expect(failed?.id).toBe(rec!.id);
    expect(failed?.error).toMatch(/cannot move/);
    expect((await vms().getVM({ id: rec!.vmId })).vm?.status?.nodeId).toBe(rec!.sourceNodeId);
  });

  it("supersedes a recommendation whose VM moved meanwhile instead of applying it", async () => {
    const [rec] = await pending();
    const elsewhere = cluster.nodes.find((n) => n !== rec!.sourceNodeId && n !== rec!.targetNodeId)!;
    await vms().migrateVM({ id: rec!.vmId, targetNodeId: elsewhere, live: true });
    await expectCode(api().applyRecommendation({ id: rec!.id }), Code.FailedPrecondition, /moved to node/);
    const [gone] = (await api().getRecommendations({ clusterId: h.clusterId, states: [State.SUPERSEDED] }))
      .recommendations;
    expect(gone?.id).toBe(rec!.id);
  });

  it("rejects a recommendation with a reason, and refuses to approve or apply it afterwards", async () => {
    const [rec] = await pending();
    const rejected = await api().rejectRecommendation({ id: rec!.id, reason: "change freeze" });
    expect(rejected.recommendation).toMatchObject({
      state: State.REJECTED,
      error: "rejected: change freeze",
    });
    await expectCode(api().approveRecommendation({ id: rec!.id }), Code.FailedPrecondition, /REJECTED/);
    await expectCode(api().applyRecommendation({ id: rec!.id }), Code.FailedPrecondition, /REJECTED/);
    await expectCode(
      api().rejectRecommendation({ id: rec!.id }),
      Code.FailedPrecondition,
      /REJECTED already/,
    );
    await expectCode(api().approveRecommendation({ id: "no-such-rec" }), Code.NotFound);
  });

  it("refuses a decision on a stale resource_version", async () => {
    const [rec] = await pending();
    await api().approveRecommendation({ id: rec!.id });
    await expectCode(
      api().rejectRecommendation({ id: rec!.id, resourceVersion: rec!.resourceVersion }),
      Code.Aborted,
    );
  });

  it("reports the last pass, the imbalance before and after, the next run and what is open", async () => {
    const before = await api().getStatus({ clusterId: h.clusterId });
    expect(before.status).toMatchObject({ enabled: true, pendingRecommendations: 0, runPending: false });
    expect(before.status?.lastRunTime).toBeUndefined();
    const recs = await pending();
    const { status } = await api().getStatus({ clusterId: h.clusterId });
    expect(status?.pendingRecommendations).toBe(recs.length);
    expect(status?.imbalanceBefore).toBeGreaterThan(status!.imbalanceAfter);
    // Nothing moved yet: the imbalance now is the one the pass started from.
    expect(status?.imbalance).toBeCloseTo(status!.imbalanceBefore, 9);
    const last = timestampDate(status!.lastRunTime!).getTime();
    expect(last).toBe(h.clock.now().getTime());
    expect(timestampDate(status!.nextRunTime!).getTime()).toBe(last + 300_000);
    expect(status?.lastResult).toMatch(/recommendation/);
    expect(status?.migrationsInFlight).toBe(0);
    await expectCode(api().getStatus({ clusterId: "no-such-cluster" }), Code.NotFound);
  });

  it("streams recommendations as a pass proposes them and an apply carries them out", async () => {
    const ctl = new AbortController();
    const seen: drs.RecommendationState[] = [];
    const stream = (async () => {
      try {
        for await (const msg of api().watchRecommendations(
          { clusterId: h.clusterId },
          { signal: ctl.signal },
        ))
          if (msg.recommendation) seen.push(msg.recommendation.state);
      } catch {
        // aborted
      }
    })();
    const [rec] = await pending();
    await api().applyRecommendation({ id: rec!.id });
    await eventually(() =>
      expect(seen).toEqual(expect.arrayContaining([State.PENDING, State.APPLYING, State.APPLIED])),
    );
    ctl.abort();
    await stream;
  });
});
