import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, drs } from "@limiquantix/api";
import { Coordinator } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { createTestDatabase, type TestDatabase, testEtcd, testRedis } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../config/schema";
import { CONTROLLERS_ELECTION } from "../controllers/controller-runner";
import { type RunningServer, startServer } from "../runtime/server";
import { testConfig } from "../testing/server-config";
import { adminToken, withBearer } from "../testing/signed-in";

// Two replicas on PostgreSQL, Redis and etcd: RunNow through the replica that does not lead is
// served by the leader's DRS controller, which sees the request through the change log.
const logger = pino({ level: "silent" });
let db: TestDatabase;
let config: Config;
const running: RunningServer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const redis = await testRedis();
  const etcd = await testEtcd();
  config = testConfig({
    mode: "production",
    database: { url: db.url },
    redis: { url: redis.url, keyPrefix: `lqx-${db.name}:` },
    etcd: { endpoints: [...etcd.endpoints], prefix: `/lqx-${db.name}` },
    auth: { jwtSecret: "drs-replicas-test-secret-of-enough-length-0123456789" },
    drs: { automationLevel: "manual", intervalSec: 3600 },
  });
}, 120_000);

afterAll(async () => {
  for (const s of running) await s.stop().catch(() => undefined);
  await db?.drop();
});

async function replica(): Promise<RunningServer> {
  const s = await startServer(config, { logger, version: "test" });
  running.push(s);
  return s;
}

const candidateOf = (s: RunningServer) => `${process.pid}@${s.url}`;
const leaderSeenBy = (s: RunningServer) =>
  s.container.get<Coordinator>(Coordinator).leader(CONTROLLERS_ELECTION);

describe("DRS on two replicas", () => {
  it("runs a pass asked for through the replica that does not lead, on the leader", async () => {
    const leader = await replica();
    await eventually(async () => expect(await leaderSeenBy(leader)).toBe(candidateOf(leader)), 30_000, 50);
    const follower = await replica();
    expect(await leaderSeenBy(follower)).toBe(candidateOf(leader));
    const api = createClient(
      drs.DRSService,
      createGrpcTransport({ baseUrl: follower.url, interceptors: [withBearer(await adminToken(follower))] }),
    );
    const clusterId = follower.defaults.clusterId;
    const asked = Date.now();
    const { status } = await api.runNow({ clusterId }, { timeoutMs: 20_000 });
    expect(status?.runPending).toBe(false);
    expect(timestampDate(status!.lastRunTime!).getTime()).toBeGreaterThanOrEqual(asked - 1000);
    expect(status?.lastError).toBe("");
    // The follower's DRS controller never ran: it is not started on a replica that does not lead.
    const { status: again } = await api.getStatus({ clusterId });
    expect(again?.lastRunTime).toEqual(status?.lastRunTime);
  }, 120_000);
});

describe("DRS on PostgreSQL", () => {
  it("deletes a cluster's recommendations with the cluster (they reference it)", async () => {
    const s = running[0] ?? (await replica());
    const token = await adminToken(s);
    const clusters = createClient(
      compute.ClusterService,
      createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] }),
    );
    const { cluster } = await clusters.createCluster({ name: "emptied" });
    const { repos, ids } = s.services.deps;
    const rec = await repos.drsRecommendations.create({
      id: ids.next(),
      labels: {},
      clusterId: cluster!.id,
      priority: "LOW",
      type: "MIGRATE",
      vmId: "vm-gone",
      sourceNodeId: "node-gone-a",
      targetNodeId: "node-gone-b",
      reason: "from when it had nodes",
      impact: { imbalanceBefore: 0.2, imbalanceAfter: 0.1 },
      state: "APPLIED",
    });
    await clusters.deleteCluster({ id: cluster!.id });
    expect(await repos.drsRecommendations.find(rec.id)).toBeUndefined();
    expect(await repos.clusters.find(cluster!.id)).toBeUndefined();
  }, 60_000);
});
