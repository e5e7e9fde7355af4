import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { alert } from "@limiquantix/api";
import type { AlertInput } from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCode, expectInvalidField } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { ALERTS } from "./alert-ids";
import type { AlertRuleService } from "./alert-rule-service";

let h: RpcHarness;
let client: ReturnType<typeof h.client<typeof alert.AlertService>>;
let clusterId: string;
beforeAll(async () => {
  h = await startRpcHarness();
  client = h.client(alert.AlertService);
  clusterId = (await h.services.clusters.findByName(h.ctx, "default"))!.id;
});
afterAll(async () => {
  await h.close();
});

const spec = (init: MessageInitShape<typeof alert.AlertRuleSpecSchema> = {}) =>
  create(alert.AlertRuleSpecSchema, {
    metric: "node.cpu.percent",
    operator: alert.ThresholdOperator.GT,
    threshold: 90,
    forSec: 120,
    severity: alert.AlertSeverity.WARNING,
    enabled: true,
    ...init,
  });

describe("AlertService rules over Connect", () => {
  it("creates, reads, lists, updates and deletes a rule", async () => {
    const { rule } = await client.createAlertRule({
      name: "cpu-high",
      labels: { team: "infra" },
      spec: spec({ scope: { clusterId }, cooldownSec: 600, description: "busy hosts" }),
    });
    expect(rule?.spec).toMatchObject({
      metric: "node.cpu.percent",
      operator: alert.ThresholdOperator.GT,
      threshold: 90,
      forSec: 120,
      severity: alert.AlertSeverity.WARNING,
      enabled: true,
      cooldownSec: 600,
      description: "busy hosts",
      scope: { clusterId, resourceId: "" },
    });
    expect((await client.getAlertRule({ id: rule!.id })).rule?.name).toBe("cpu-high");

    await client.createAlertRule({
      name: "mem-high",
      labels: { team: "infra" },
      spec: spec({ metric: "node.memory.percent" }),
    });
    const first = await client.listAlertRules({ labelSelector: "team=infra", pageSize: 1 });
    expect(first.alertRules).toHaveLength(1);
    expect(first.totalCount).toBe(2);
    const second = await client.listAlertRules({
      labelSelector: "team=infra",
      pageSize: 1,
      pageToken: first.nextPageToken,
    });
    expect(second.alertRules[0]?.id).not.toBe(first.alertRules[0]?.id);

    const { rule: raised } = await client.updateAlertRule({
      id: rule!.id,
      resourceVersion: rule!.resourceVersion,
      spec: spec({ threshold: 97 }),
      updateMask: { paths: ["spec.threshold"] },
    });
    expect(raised?.spec).toMatchObject({
      threshold: 97,
      forSec: 120,
      cooldownSec: 600,
      scope: { clusterId },
    });
    await expectCode(
      client.updateAlertRule({ id: rule!.id, resourceVersion: rule!.resourceVersion, labels: { team: "x" } }),
      Code.Aborted,
    );
    const { rule: off } = await client.updateAlertRule({
      id: rule!.id,
      spec: spec({ enabled: false }),
      updateMask: { paths: ["spec.enabled"] },
    });
    expect(off?.spec?.enabled).toBe(false);

    await client.deleteAlertRule({ id: rule!.id, resourceVersion: off!.resourceVersion });
    await expectCode(client.getAlertRule({ id: rule!.id }), Code.NotFound);
  });

  it("refuses a rule it could not evaluate, naming the wire field at fault", async () => {
    const bad = (s: MessageInitShape<typeof alert.AlertRuleSpecSchema>, name = "bad-rule") =>
      client.createAlertRule({ name, spec: s });
    const metric = await expectInvalidField(bad(spec({ metric: "vm.network.percent" })), "spec.metric");
    expect(metric.message).toContain("known: node.cpu.percent");
    await expectInvalidField(bad(spec({ threshold: 120 })), "spec.threshold");
    await expectInvalidField(bad(spec({ metric: "node.not_ready", threshold: 2 })), "spec.threshold");
    await expectInvalidField(bad(spec({ operator: alert.ThresholdOperator.UNSPECIFIED })), "spec.operator");
    await expectInvalidField(bad(spec({ severity: alert.AlertSeverity.UNSPECIFIED })), "spec.severity");
    await expectInvalidField(bad(spec({ forSec: 90_000 })), "spec.for_sec");
    await expectInvalidField(bad(spec({ cooldownSec: 700_000 })), "spec.cooldown_sec");
    await expectInvalidField(bad(spec({ scope: { clusterId: "no-such-cluster" } })), "spec.scope.cluster_id");
    await expectInvalidField(bad(spec({ scope: { resourceId: clusterId } })), "spec.scope.resource_id");
    await expectInvalidField(bad(spec(), "Not_A_Name"), "name");
    await expectInvalidField(client.createAlertRule({ name: "no-spec" }), "spec");
    const { rule } = await client.createAlertRule({ name: "fine", spec: spec() });
    await expectInvalidField(
      client.updateAlertRule({ id: rule!.id, spec: spec(), updateMask: { paths: ["spec.nope"] } }),
      "update_mask.paths[0]",
    );
    await expectInvalidField(
      client.updateAlertRule({
        id: rule!.id,
        spec: spec({ threshold: -1 }),
        updateMask: { paths: ["spec.threshold"] },
      }),
      "spec.threshold",
    );
  });

  it("keeps the built-in rules: they can be changed and disabled, not deleted", async () => {
    await h.plane.container.get<AlertRuleService>(ALERTS.rules).ensureBuiltIns();
    const builtIn = (await client.listAlertRules({ labelSelector: "alerts.limiquantix.io/built-in=true" }))
      .alertRules;
    expect(builtIn.map((r) => r.name)).toContain("node-cpu-critical");
    const critical = builtIn.find((r) => r.name === "node-cpu-critical")!;
    expect(critical.spec).toMatchObject({
      threshold: 95,
      severity: alert.AlertSeverity.CRITICAL,
      enabled: true,
    });
    await expectCode(client.deleteAlertRule({ id: critical.id }), Code.FailedPrecondition, /spec.enabled/);
    const { rule } = await client.updateAlertRule({
      id: critical.id,
      spec: spec({ enabled: false }),
      updateMask: { paths: ["spec.enabled"] },
    });
    expect(rule?.spec?.enabled).toBe(false);
  });
});

describe("AlertService alerts over Connect", () => {
  const raise = (init: Partial<AlertInput> & { id: string }) =>
    h.adapters.repositories.alerts.create({
      labels: {},
      severity: "WARNING",
      source: { kind: "Node", id: "node-a", name: "a" },
      title: `alert ${init.id}`,
      fingerprint: `fp-${init.id}`,
      ...init,
    });

  it("lists alerts by state, severity, source and cluster, a page at a time", async () => {
    await raise({ id: "l-1", severity: "CRITICAL", clusterId });
    await raise({ id: "l-2", severity: "WARNING", source: { kind: "Node", id: "node-b" } });
    await raise({
      id: "l-3",
      severity: "CRITICAL",
      state: "RESOLVED",
      source: { kind: "Node", id: "node-b" },
    });
    await raise({ id: "l-4", severity: "INFO", labels: { zone: "a" } });
    await raise({ id: "l-5", severity: "CRITICAL", source: { kind: "StoragePool", id: "pool-1" } });
    const ids = (r: alert.ListAlertsResponse) =>
      r.alerts.map((a) => a.id).filter((id) => id.startsWith("l-"));

    expect(ids(await client.listAlerts({ severities: [alert.AlertSeverity.CRITICAL] }))).toEqual([
      "l-1",
      "l-3",
      "l-5",
    ]);
    expect(
      ids(
        await client.listAlerts({
          severities: [alert.AlertSeverity.CRITICAL],
          states: [alert.AlertState.OPEN],
        }),
      ),
    ).toEqual(["l-1", "l-5"]);
    expect(ids(await client.listAlerts({ sourceId: "node-b" }))).toEqual(["l-2", "l-3"]);
    expect(ids(await client.listAlerts({ clusterId }))).toEqual(["l-1"]);
    expect(ids(await client.listAlerts({ labelSelector: "zone=a" }))).toEqual(["l-4"]);

    const pages: string[][] = [];
    let token = "";
    let total = 0;
    do {
      const page = await client.listAlerts({
        severities: [alert.AlertSeverity.CRITICAL],
        pageSize: 1,
        pageToken: token,
      });
      pages.push(ids(page));
      total = page.totalCount;
      token = page.nextPageToken;
    } while (token);
    expect(pages.flat()).toEqual(["l-1", "l-3", "l-5"]);
    expect(total).toBe(3);
    await expectInvalidField(client.listAlerts({ severities: [99 as alert.AlertSeverity] }), "severities[0]");
  });

  it("acknowledges with who, when and a comment, then resolves; a resolved alert cannot be acknowledged", async () => {
    const a = await raise({ id: "ack-1" });
    expect((await client.getAlert({ id: a.id })).alert?.state).toBe(alert.AlertState.OPEN);
    const { alert: acked } = await client.acknowledgeAlert({ id: a.id, comment: "on it" });
    expect(acked?.state).toBe(alert.AlertState.ACKNOWLEDGED);
    expect(acked?.acknowledged?.by).not.toBe("");
    expect(acked?.acknowledged?.comment).toBe("on it");
    expect(acked?.acknowledged?.time).toBeDefined();
    const { alert: again } = await client.acknowledgeAlert({ id: a.id, comment: "me too" });
    expect(again?.acknowledged?.comment).toBe("on it");
    expect(again?.resourceVersion).toBe(acked?.resourceVersion);

    const { alert: resolved } = await client.resolveAlert({ id: a.id, comment: "rebooted" });
    expect(resolved?.state).toBe(alert.AlertState.RESOLVED);
    expect(resolved?.resolved?.comment).toBe("rebooted");
    expect((await client.resolveAlert({ id: a.id })).alert?.resourceVersion).toBe(resolved?.resourceVersion);
    await expectCode(client.acknowledgeAlert({ id: a.id }), Code.FailedPrecondition, /resolved/);
    await expectCode(client.getAlert({ id: "no-such-alert" }), Code.NotFound);
  });
});
