import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { create } from "@bufbuild/protobuf";
import { alert, audit, compute, iam } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AccessHarness, codeOf, startAccessHarness } from "../auth/test/access-support";

const SECRET = "the-alert-webhook-secret";
let h: AccessHarness;
let hook: Server;
const posts: { signature: string | undefined; body: string }[] = [];
let viewer = "";
let operator = "";

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      posts.push({
        signature: req.headers["x-limiquantix-signature"] as string | undefined,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const { port } = hook.address() as AddressInfo;
  h = await startAccessHarness({
    // A node that misses one one-second check is NOT_READY, so the test sees an alert fire soon.
    // HA off: it would fence the node (FENCING), which clears the not-ready alert while the tests
    // below still handle it.
    ha: { enabled: false, checkIntervalSec: 1, failureThreshold: 2 },
    alerts: { webhooks: [{ url: `http://127.0.0.1:${port}/alerts`, secret: SECRET, timeoutMs: 2000 }] },
  });
  viewer = (await h.user("a-viewer", { role: iam.Role.VIEWER })).token;
  operator = (await h.user("a-operator", { role: iam.Role.OPERATOR })).token;
}, 60_000);
afterAll(async () => {
  await h?.close();
  hook?.closeAllConnections();
  await new Promise((r) => hook?.close(r));
});

describe("alerts on a running server, signed in", () => {
  let alertId = "";

  it("fires an alert when a node stops sending heartbeats, and posts it to the webhook, signed", async () => {
    await h.client(compute.NodeService, h.admin).registerNode(
      create(compute.RegisterNodeRequestSchema, {
        name: "silent-node",
        spec: {
          hostname: "silent-node.lab",
          managementIp: "10.0.0.9",
          agentAddress: "127.0.0.1:1",
          cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 },
          memoryMib: 8192n,
        },
      }),
    );
    const admin = h.client(alert.AlertService, h.admin);
    const fired = await vi.waitFor(
      async () => {
        const { alerts } = await admin.listAlerts({ states: [alert.AlertState.OPEN] });
        const found = alerts.find((a) => a.title === "node silent-node is not ready");
        if (!found) throw new Error(`no alert yet: ${JSON.stringify(alerts.map((a) => a.title))}`);
        return found;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(fired.severity).toBe(alert.AlertSeverity.WARNING);
    alertId = fired.id;
    const post = await vi.waitFor(
      () => {
        const p = posts.find((x) => x.body.includes(fired.id));
        if (!p) throw new Error("no webhook post yet");
        return p;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(post.signature).toBe(`sha256=${createHmac("sha256", SECRET).update(post.body).digest("hex")}`);
    expect(JSON.parse(post.body)).toMatchObject({ type: "alert.fired", alert: { id: fired.id } });
  });

  it("lets a viewer read alerts and rules but neither handle alerts nor change rules", async () => {
    const asViewer = h.client(alert.AlertService, viewer);
    expect(await codeOf(() => asViewer.listAlerts({}))).toBe("ok");
    expect(await codeOf(() => asViewer.getAlert({ id: alertId }))).toBe("ok");
    expect(await codeOf(() => asViewer.listAlertRules({}))).toBe("ok");
    expect(await codeOf(() => asViewer.acknowledgeAlert({ id: alertId }))).toBe("PermissionDenied");
    expect(await codeOf(() => asViewer.resolveAlert({ id: alertId }))).toBe("PermissionDenied");
    expect(
      await codeOf(() =>
        asViewer.updateAlertRule({
          id: "builtin-node-not-ready",
          spec: { enabled: false },
          updateMask: { paths: ["spec.enabled"] },
        }),
      ),
    ).toBe("PermissionDenied");
    const state = (await asViewer.getAlert({ id: alertId })).alert?.state;
    expect(state).toBe(alert.AlertState.OPEN);
  });

  it("lets an operator acknowledge and resolve, recording who, and audits both calls; rules stay admin-only", async () => {
    const asOperator = h.client(alert.AlertService, operator);
    const { alert: acked } = await asOperator.acknowledgeAlert({ id: alertId, comment: "looking" });
    expect(acked?.state).toBe(alert.AlertState.ACKNOWLEDGED);
    expect(acked?.acknowledged).toMatchObject({ by: "a-operator", comment: "looking" });
    const { alert: resolved } = await asOperator.resolveAlert({ id: alertId, comment: "cable replaced" });
    expect(resolved?.state).toBe(alert.AlertState.RESOLVED);
    expect(resolved?.resolved).toMatchObject({ by: "a-operator", comment: "cable replaced" });
    expect(
      await codeOf(() =>
        asOperator.createAlertRule({
          name: "operator-rule",
          spec: {
            metric: "node.cpu.percent",
            operator: alert.ThresholdOperator.GT,
            threshold: 50,
            severity: alert.AlertSeverity.INFO,
          },
        }),
      ),
    ).toBe("PermissionDenied");

    const { entries } = await h
      .client(audit.AuditService, h.admin)
      .listAuditEntries({ actor: "user:a-operator", resourceKind: "Alert" });
    const actions = entries.map((e) => e.action);
    expect(actions).toContain("limiquantix.alert.v1.AlertService/AcknowledgeAlert");
    expect(actions).toContain("limiquantix.alert.v1.AlertService/ResolveAlert");
  });

  it("lets an admin manage rules", async () => {
    const asAdmin = h.client(alert.AlertService, h.admin);
    const { rule } = await asAdmin.createAlertRule({
      name: "cluster-cpu",
      spec: {
        metric: "cluster.cpu.percent",
        operator: alert.ThresholdOperator.GTE,
        threshold: 90,
        forSec: 300,
        severity: alert.AlertSeverity.WARNING,
        enabled: true,
      },
    });
    expect(rule?.spec?.metric).toBe("cluster.cpu.percent");
    expect(await codeOf(() => asAdmin.deleteAlertRule({ id: rule!.id }))).toBe("ok");
  });
});
