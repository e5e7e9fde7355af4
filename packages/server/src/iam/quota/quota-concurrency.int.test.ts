import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, iam, rpc, storage } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import {
  createMigrator,
  createPgDatabase,
  createPostgresStore,
  loadMigrations,
} from "@limiquantix/repo-postgres";
import {
  createTestDatabase,
  makeTempDir,
  type TestDatabase,
  testEtcd,
  testRedis,
} from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../config/schema";
import { type RunningServer, startServer } from "../../runtime/server";
import { testConfig } from "../../testing/server-config";
import { adminToken, withBearer } from "../../testing/signed-in";

const logger = pino({ level: "silent" });
const jwtSecret = "quota-int-test-secret-0123456789abcdef";
const running: RunningServer[] = [];
const databases: TestDatabase[] = [];

async function productionConfig(): Promise<{ config: Config; db: TestDatabase }> {
  const db = await createTestDatabase();
  databases.push(db);
  const redis = await testRedis();
  const etcd = await testEtcd();
  const config = testConfig({
    mode: "production",
    database: { url: db.url },
    redis: { url: redis.url, keyPrefix: `lqx-${db.name}:` },
    etcd: { endpoints: [...etcd.endpoints], prefix: `/lqx-${db.name}` },
    auth: { jwtSecret },
  });
  return { config, db };
}

async function start(config: Config): Promise<RunningServer> {
  const s = await startServer(config, { logger, version: "test" });
  running.push(s);
  return s;
}

/** Clients of one replica, signed in as the admin. */
function clientsOf(s: RunningServer, token: string) {
  const transport = createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] });
  return {
    projects: createClient(iam.ProjectService, transport),
    vms: createClient(compute.VMService, transport),
    nodes: createClient(compute.NodeService, transport),
    pools: createClient(storage.StoragePoolService, transport),
    volumes: createClient(storage.VolumeService, transport),
  };
}
type Clients = ReturnType<typeof clientsOf>;

async function registerNode(c: Clients): Promise<string> {
  const { node } = await c.nodes.registerNode(
    create(compute.RegisterNodeRequestSchema, {
      name: "hv",
      spec: {
        hostname: "hv.lab",
        managementIp: "10.0.0.5",
        agentAddress: "127.0.0.1:1",
        cpu: { sockets: 1, coresPerSocket: 32, threadsPerCore: 1 },
        memoryMib: 131072n,
      },
    }),
  );
  return node!.id;
}

/** outcomes runs the calls at once and sorts how they ended: ok, refused by a quota (named), or another error. */
async function outcomes(calls: readonly Promise<unknown>[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await Promise.allSettled(calls)) {
    let key = "ok";
    if (r.status === "rejected") {
      const e = ConnectError.from(r.reason);
      const quota = e.findDetails(rpc.ErrorInfoSchema)[0]?.metadata.quota;
      key = e.code === Code.ResourceExhausted && quota ? `over ${quota}` : `${Code[e.code]}: ${e.rawMessage}`;
    }
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** untilPlaceable waits until the replica's placement snapshot has the node: a VM of the default project fits. */
async function untilPlaceable(c: Clients, name = "probe"): Promise<void> {
  await eventually(async () => {
    await c.vms.createVM({ projectId: "default", name, spec });
  }, 15_000);
}

const spec = { vcpus: 1, memoryMib: 512n };

afterAll(async () => {
  for (const s of running) await s.stop();
  for (const db of databases) await db.drop();
});

describe("project quotas on PostgreSQL with two replicas", () => {
  let a: Clients;
  let b: Clients;
  let nodeId: string;
  beforeAll(async () => {
    const { config } = await productionConfig();
    const ra = await start(config);
    const rb = await start(config);
    const token = await adminToken(ra);
    a = clientsOf(ra, token);
    b = clientsOf(rb, token);
    nodeId = await registerNode(a);
    await untilPlaceable(a, "probe-a");
    await untilPlaceable(b, "probe-b");
  }, 120_000);

  it("lets concurrent CreateVM calls through both replicas take exactly the quota, and no more", async () => {
    const { project } = await a.projects.createProject({ name: "acme", quota: { vms: 3, vcpus: 100 } });
    const calls = Array.from({ length: 20 }, (_, i) =>
      (i % 2 === 0 ? a : b).vms.createVM({ projectId: "acme", name: `vm-${i}`, spec }),
    );
    expect(await outcomes(calls)).toEqual({ ok: 3, "over vms": 17 });
    const listed = await b.vms.listVMs({ projectId: project!.id });
    expect(listed.vms).toHaveLength(3);
    const { node } = await a.nodes.getNode({ id: nodeId });
    // The three of the project, and the two probes of the default project.
    expect(node?.status?.allocated?.vmCount).toBe(3 + 2);
    expect((await b.projects.getProject({ id: project!.id })).project?.usage).toMatchObject({
      vms: 3,
      vcpus: 3,
      memoryMib: 1536n,
    });
  }, 120_000);

  it("lets concurrent CreateVolume calls through both replicas take exactly the storage quota", async () => {
    const { project } = await a.projects.createProject({
      name: "vols",
      quota: { storageGib: 35n, volumes: 10 },
    });
    const { storagePool } = await a.pools.createStoragePool({
      name: "pool",
      spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 1000n, overprovisionRatio: 1 },
    });
    const calls = Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? a : b).volumes.createVolume({
        projectId: "vols",
        name: `v-${i}`,
        spec: { poolId: storagePool!.id, sizeGib: 10n },
      }),
    );
    expect(await outcomes(calls)).toEqual({ ok: 3, "over storageGib": 7 });
    expect((await b.volumes.listVolumes({ projectId: project!.id })).volumes).toHaveLength(3);
    const pool = (await b.pools.getStoragePool({ id: storagePool!.id })).storagePool;
    expect(pool?.status?.allocatedGib).toBe(30n);
    expect((await a.projects.getProject({ id: project!.id })).project?.usage).toMatchObject({
      volumes: 3,
      storageGib: 30n,
    });

    // A delete through one replica frees room that one create through the other then takes.
    const { volumes } = await a.volumes.listVolumes({ projectId: project!.id });
    await b.volumes.deleteVolume({ id: volumes[0]!.id });
    const again = Array.from({ length: 6 }, (_, i) =>
      (i % 2 === 0 ? b : a).volumes.createVolume({
        projectId: "vols",
        name: `again-${i}`,
        spec: { poolId: storagePool!.id, sizeGib: 10n },
      }),
    );
    expect(await outcomes(again)).toEqual({ ok: 1, "over storageGib": 5 });
    expect((await b.volumes.listVolumes({ projectId: project!.id })).volumes).toHaveLength(3);
    expect((await b.pools.getStoragePool({ id: storagePool!.id })).storagePool?.status?.allocatedGib).toBe(
      30n,
    );
  }, 120_000);
});

describe("project quotas on embedded PGlite", () => {
  it("lets exactly the quota of concurrent CreateVM calls through", async () => {
    const dir = await makeTempDir("quota-embedded");
    try {
      const s = await start(testConfig({ mode: "embedded", dataDir: dir.path }));
      const c = clientsOf(s, await adminToken(s));
      await registerNode(c);
      await untilPlaceable(c);
      const { project } = await c.projects.createProject({ name: "acme", quota: { vms: 2 } });
      const calls = Array.from({ length: 10 }, (_, i) =>
        c.vms.createVM({ projectId: "acme", name: `vm-${i}`, spec }),
      );
      expect(await outcomes(calls)).toEqual({ ok: 2, "over vms": 8 });
      expect((await c.vms.listVMs({ projectId: project!.id })).vms).toHaveLength(2);
      await s.stop();
      running.splice(running.indexOf(s), 1);
    } finally {
      await dir.remove();
    }
  }, 120_000);
});

describe("project quotas on a database from before use was counted", () => {
  it("counts the VMs already there on the first call that changes the project's use", async () => {
    const { config, db } = await productionConfig();
    // Version 7: a project with a quota, as an older release stored it.
    const sql = createPgDatabase(db.url);
    try {
      await createMigrator(sql, { migrations: loadMigrations().filter((m) => m.version < 8) }).up();
      await sql.query(`INSERT INTO projects (id, name, quota) VALUES ('legacy', 'legacy', '{"vms": 3}')`);
    } finally {
      await sql.close();
    }
    // Migrated, with two VMs stored as the older release would have: nothing counted them.
    const store = await createPostgresStore({ connectionString: db.url, migrate: true });
    try {
      expect((await store.repos.projects.get("legacy")).status).toBeUndefined();
      for (const name of ["old-1", "old-2"])
        await store.repos.vms.create({
          id: name,
          name,
          projectId: "legacy",
          spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 1024 } },
          status: { powerState: "STOPPED" },
        });
    } finally {
      await store.close();
    }
    const s = await start(config);
    const c = clientsOf(s, await adminToken(s));
    await registerNode(c);
    await untilPlaceable(c);
    const calls = Array.from({ length: 5 }, (_, i) =>
      c.vms.createVM({ projectId: "legacy", name: `new-${i}`, spec }),
    );
    expect(await outcomes(calls)).toEqual({ ok: 1, "over vms": 4 });
    expect((await c.projects.getProject({ id: "legacy" })).project?.usage).toMatchObject({
      vms: 3,
      vcpus: 5,
      memoryMib: 2560n,
    });
  }, 120_000);
});
