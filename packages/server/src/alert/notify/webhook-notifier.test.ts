import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Alert, ChangeLogEntry } from "@limiquantix/domain";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../observability/metrics";
import { AlertNotifier } from "./alert-notifier";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, WebhookNotifier } from "./webhook-notifier";

const silent = pino({ level: "silent" });

/** Received is one request the test endpoint got. */
interface Received {
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** Endpoint is a local HTTP server that answers with the given statuses in turn (the last one from then on). */
interface Endpoint {
  readonly url: string;
  readonly received: Received[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

async function endpoint(statuses: number[]): Promise<Endpoint> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts`,
    received,
  };
}

const firing: Alert = {
  id: "alert-1",
  resourceVersion: 7,
  createdAt: "2026-01-01T00:01:00.000Z",
  updatedAt: "2026-01-01T00:01:00.000Z",
  labels: { "alerts.limiquantix.io/rule": "node-cpu-critical" },
  clusterId: "c1",
  severity: "CRITICAL",
  state: "OPEN",
  source: { kind: "Node", id: "n1", name: "hot" },
  title: "node hot: CPU 97% > 95%",
  message: "Rule node-cpu-critical: node.cpu.percent > 95 has held for 60s (now 97).",
  fingerprint: "rule/builtin-node-cpu-critical/Node/n1",
  ruleId: "builtin-node-cpu-critical",
};

const entry = (type: "ADDED" | "MODIFIED", object: Alert): ChangeLogEntry => ({
  revision: object.resourceVersion,
  kind: "Alert",
  id: object.id,
  type,
  object,
  at: object.updatedAt,
});

/** verify checks a signature as a receiver would: HMAC-SHA256 of the raw body, compared in constant time. */
function verify(secret: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("WebhookNotifier", () => {
  it("POSTs the alert as JSON when it fires and when it resolves, signed with the secret", async () => {
    const hook = await endpoint([204]);
    const secret = "a-webhook-secret-of-some-length";
    const metrics = createMetrics();
    const relay = { subscribe: () => () => undefined };
    const notifier = new AlertNotifier(
      relay,
      [new WebhookNotifier({ url: hook.url, secret, timeoutMs: 2000, maxAttempts: 3 }, { metrics })],
      silent,
      metrics,
    );
    notifier.change(entry("ADDED", firing));
    // Acknowledgements are not sent to webhooks.
    notifier.change(
      entry("MODIFIED", {
        ...firing,
        state: "ACKNOWLEDGED",
        acknowledged: { by: "ops", at: firing.createdAt },
      }),
    );
    notifier.change(
      entry("MODIFIED", {
        ...firing,
        resourceVersion: 9,
        updatedAt: "2026-01-01T00:05:00.000Z",
        state: "RESOLVED",
        resolved: { by: "alert-evaluation", at: "2026-01-01T00:05:00.000Z", comment: "cleared" },
      }),
    );
    await notifier.idle();

    expect(hook.received).toHaveLength(2);
    const [fired, resolved] = hook.received;
    for (const r of hook.received) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(verify(secret, r.body, r.headers[SIGNATURE_HEADER] as string)).toBe(true);
      expect(verify("another-secret-entirely", r.body, r.headers[SIGNATURE_HEADER] as string)).toBe(false);
    }
    expect(fired!.headers[EVENT_HEADER]).toBe("alert.fired");
    expect(fired!.headers[DELIVERY_HEADER]).toBe("alert-1.fired");
    expect(JSON.parse(fired!.body)).toEqual({
      type: "alert.fired",
      time: "2026-01-01T00:01:00.000Z",
      alert: expect.objectContaining({
        id: "alert-1",
        severity: "ALERT_SEVERITY_CRITICAL",
        state: "ALERT_STATE_OPEN",
        title: "node hot: CPU 97% > 95%",
        source: { kind: "Node", id: "n1", name: "hot" },
        ruleId: "builtin-node-cpu-critical",
        clusterId: "c1",
      }),
    });
    const resolvedBody = JSON.parse(resolved!.body);
    expect(resolvedBody.type).toBe("alert.resolved");
    expect(resolvedBody.alert.state).toBe("ALERT_STATE_RESOLVED");
    expect(resolvedBody.alert.resolved).toMatchObject({ by: "alert-evaluation", comment: "cleared" });
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'limiquantix_alert_notifications_total{notifier="webhook",event="fired",outcome="delivered"} 1',
    );
    expect(text).toContain(
      'limiquantix_alert_notifications_total{notifier="webhook",event="resolved",outcome="delivered"} 1',
    );
  });

  it("sends no signature without a secret", async () => {
    const hook = await endpoint([200]);
    await new WebhookNotifier({ url: hook.url, timeoutMs: 2000, maxAttempts: 1 }).notify(
      { event: "fired", alert: firing, at: firing.createdAt },
      new AbortController().signal,
    );
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it("tries a failing endpoint again with backoff, and counts the retries and the delivery", async () => {
    const hook = await endpoint([500, 503, 200]);
    const metrics = createMetrics();
    const notifier = new AlertNotifier(
      { subscribe: () => () => undefined },
      [
        new WebhookNotifier(
          { url: hook.url, secret: "a-webhook-secret-of-some-length", timeoutMs: 2000, maxAttempts: 4 },
          { metrics, baseDelayMs: 10, maxDelayMs: 50 },
        ),
      ],
      silent,
      metrics,
    );
    notifier.change(entry("ADDED", firing));
    await notifier.idle();
    expect(hook.received).toHaveLength(3);
    // Every attempt carries the same body, signature and delivery id.
    expect(new Set(hook.received.map((r) => r.body)).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.headers[SIGNATURE_HEADER])).size).toBe(1);
    expect(new Set(hook.received.map((r) => r.headers[DELIVERY_HEADER])).size).toBe(1);
    const text = await metrics.registry.metrics();
    expect(text).toContain('limiquantix_alert_notification_retries_total{notifier="webhook"} 2');
    expect(text).toContain(
      'limiquantix_alert_notifications_total{notifier="webhook",event="fired",outcome="delivered"} 1',
    );
  });

  it("gives up after its attempts and counts the failure", async () => {
    const hook = await endpoint([502]);
    const metrics = createMetrics();
    const notifier = new AlertNotifier(
      { subscribe: () => () => undefined },
      [
        new WebhookNotifier(
          { url: hook.url, timeoutMs: 2000, maxAttempts: 3 },
          { metrics, baseDelayMs: 10, maxDelayMs: 50 },
        ),
      ],
      silent,
      metrics,
    );
    notifier.change(entry("ADDED", firing));
    await notifier.idle();
    expect(hook.received).toHaveLength(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('limiquantix_alert_notification_retries_total{notifier="webhook"} 2');
    expect(text).toContain(
      'limiquantix_alert_notifications_total{notifier="webhook",event="fired",outcome="failed"} 1',
    );
  });

  it("does not retry an answer that says the request itself is wrong", async () => {
    const hook = await endpoint([400]);
    const notify = new WebhookNotifier(
      { url: hook.url, timeoutMs: 2000, maxAttempts: 5 },
      { baseDelayMs: 10 },
    ).notify({ event: "fired", alert: firing, at: firing.createdAt }, new AbortController().signal);
    await expect(notify).rejects.toThrow(/answered 400/);
    expect(hook.received).toHaveLength(1);
  });

  it("times an attempt out after timeoutMs and tries again", async () => {
    const hung: string[] = [];
    const server = createServer((req, res) => {
      hung.push(req.url ?? "");
      if (hung.length === 1) return; // never answers the first attempt
      res.statusCode = 200;
      res.end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await new WebhookNotifier(
      { url: `http://127.0.0.1:${port}/slow`, timeoutMs: 200, maxAttempts: 2 },
      { baseDelayMs: 10 },
    ).notify({ event: "fired", alert: firing, at: firing.createdAt }, new AbortController().signal);
    expect(hung).toHaveLength(2);
  });
});
