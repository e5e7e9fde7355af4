import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { drs } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import { DrsController } from "./drs-controller";
import { type DrsHarness, skewedCluster, startDrsHarness } from "./drs-test-support";

let h: DrsHarness;
let leading: AbortController | undefined;
let controller: DrsController | undefined;
afterEach(async () => {
  leading?.abort();
  await controller?.stop();
  controller = undefined;
  await h?.close();
});

const api = () => h.client(drs.DRSService);

/** lead starts a DRS controller, as the leader's runner would, looking at the clock every 10 ms. */
async function lead(): Promise<DrsController> {
  leading = new AbortController();
  controller = new DrsController(h.services.deps, h.services.relay, h.passes, pino({ level: "silent" }), {
    pollMs: 10,
  });
  await controller.start(leading.signal);
  return controller;
}

const lastRun = async () => (await h.services.deps.repos.clusters.get(h.clusterId)).status?.drs?.lastRunAt;

describe("the DRS controller", () => {
  it("runs a pass at once, then every interval of the cluster", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual", intervalSec: 600 });
    await skewedCluster(h);
    const start = h.clock.now().getTime();
    await lead();
    await eventually(async () => expect(await lastRun()).toBe(new Date(start).toISOString()));
    h.clock.advance(599_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(await lastRun()).toBe(new Date(start).toISOString());
    h.clock.advance(1_000);
    await eventually(async () => expect(await lastRun()).toBe(new Date(start + 600_000).toISOString()));
    const pending = await h.services.deps.repos.drsRecommendations.count({ states: ["PENDING"] });
    expect(pending).toBeGreaterThan(0);
  });

  it("serves RunNow: the pass runs on the leader and the call answers with its recommendations", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    await lead();
    await eventually(async () => expect(await lastRun()).toBeDefined());
    // The cluster was empty at that first pass; now it is skewed.
    await skewedCluster(h);
    h.clock.advance(1_000);
    const { recommendations, status } = await api().runNow({ clusterId: h.clusterId });
    expect(recommendations.length).toBeGreaterThanOrEqual(2);
    expect(recommendations.every((r) => r.state === drs.RecommendationState.PENDING)).toBe(true);
    expect(status).toMatchObject({ runPending: false, pendingRecommendations: recommendations.length });
    expect(timestampDate(status!.lastRunTime!).getTime()).toBe(h.clock.now().getTime());
    expect(timestampDate(status!.runRequestedTime!).getTime()).toBe(h.clock.now().getTime());
  });

  it("answers RunNow with no leader running DRS as Unavailable; the request stands and the leader serves it later", async () => {
    h = await startDrsHarness();
    await h.setDrs({ automationLevel: "manual" });
    await skewedCluster(h);
    await expectCode(
      api().runNow({ clusterId: h.clusterId }, { timeoutMs: 1500 }),
      Code.Unavailable,
      /no replica leads the controllers now.*the request stands/,
    );
    expect((await api().getStatus({ clusterId: h.clusterId })).status).toMatchObject({ runPending: true });
    await lead();
    await eventually(async () => {
      const { status } = await api().getStatus({ clusterId: h.clusterId });
      expect(status?.runPending).toBe(false);
      expect(status?.lastRunTime).toBeDefined();
      expect(status?.pendingRecommendations).toBeGreaterThan(0);
    });
  });

  it("refuses RunNow on a cluster with DRS disabled, and on an unknown cluster", async () => {
    h = await startDrsHarness();
    await h.setDrs({ enabled: false });
    await expectCode(api().runNow({ clusterId: h.clusterId }), Code.FailedPrecondition, /DRS is disabled/);
    await expectCode(api().runNow({ clusterId: "no-such-cluster" }), Code.NotFound);
  });

  it("runs no pass over a cluster with DRS disabled", async () => {
    h = await startDrsHarness();
    await h.setDrs({ enabled: false });
    await skewedCluster(h);
    await lead();
    expect(await controller!.runDue()).toBe(0);
    expect(await lastRun()).toBeUndefined();
  });
});
