import { audit, drs, iam } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccessHarness, codeOf, startAccessHarness } from "../auth/test/access-support";

// A full dev-mode server with authentication on. DRS is off on the default cluster so no pass
// supersedes the recommendation the test plants.
let h: AccessHarness;
let recId = "";
let clusterId = "";
beforeAll(async () => {
  h = await startAccessHarness({ drs: { enabled: false } });
  const { repos, ids } = h.server.services.deps;
  clusterId = (await repos.clusters.findByName("default"))!.id;
  recId = (
    await repos.drsRecommendations.create({
      id: ids.next(),
      labels: {},
      clusterId,
      priority: "MEDIUM",
      type: "MIGRATE",
      vmId: "vm-1",
      sourceNodeId: "node-a",
      targetNodeId: "node-b",
      reason: "node-a is hotter than node-b",
      impact: { imbalanceBefore: 0.3, imbalanceAfter: 0.1 },
    })
  ).id;
}, 60_000);
afterAll(() => h?.close());

describe("DRSService access", () => {
  it("lets a viewer read recommendations and status but not approve, reject, apply or run", async () => {
    const { token } = await h.user("drs-viewer", { role: iam.Role.VIEWER });
    const api = h.client(drs.DRSService, token);
    const listed = await api.getRecommendations({ clusterId });
    expect(listed.recommendations.map((r) => r.id)).toEqual([recId]);
    expect((await api.getStatus({ clusterId })).status?.enabled).toBe(false);
    expect(await codeOf(() => api.approveRecommendation({ id: recId }))).toBe("PermissionDenied");
    expect(await codeOf(() => api.rejectRecommendation({ id: recId }))).toBe("PermissionDenied");
    expect(await codeOf(() => api.applyRecommendation({ id: recId }))).toBe("PermissionDenied");
    expect(await codeOf(() => api.runNow({ clusterId }))).toBe("PermissionDenied");
    const after = await api.getRecommendations({ clusterId });
    expect(after.recommendations[0]?.state).toBe(drs.RecommendationState.PENDING);
  });

  it("lets an operator approve, records who did, and audits the call", async () => {
    const { token } = await h.user("drs-operator", { role: iam.Role.OPERATOR });
    const api = h.client(drs.DRSService, token);
    const { recommendation } = await api.approveRecommendation({ id: recId });
    expect(recommendation).toMatchObject({
      state: drs.RecommendationState.APPROVED,
      decidedBy: "drs-operator",
    });
    expect(await codeOf(() => api.runNow({ clusterId }))).toBe("FailedPrecondition");
    const entries = await h
      .client(audit.AuditService, h.admin)
      .listAuditEntries({ action: "limiquantix.drs.v1.DRSService/ApproveRecommendation" });
    expect(entries.entries.map((e) => [e.actor?.username, e.outcome])).toContainEqual([
      "user:drs-operator",
      audit.Outcome.SUCCESS,
    ]);
  });
});
