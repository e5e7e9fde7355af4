import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { compute, health, iam, network, storage } from "@limiquantix/api";
import { createTestDatabase, freePort, makeTempDir, testEtcd, testRedis } from "@limiquantix/testkit";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Config } from "../config/schema";
import { testConfig } from "../testing/server-config";
import { asAdmin } from "../testing/signed-in";
import { type RunningServer, startServer } from "./server";

const logger = pino({ level: "silent" });
const start = (config: Config) => startServer(config, { logger, version: "test" });
// Production mode needs a signing key every replica shares; HS256 with a secret will do here.
const jwtSecret = "server-int-test-secret-0123456789abcdef";

/** writeEverything creates one object of each kind over the API and returns what was acknowledged. */
async function writeEverything(t: Transport, projectName: string) {
  const projects = createClient(iam.ProjectService, t);
  const nodes = createClient(compute.NodeService, t);
  const pools = createClient(storage.StoragePoolService, t);
  const volumes = createClient(storage.VolumeService, t);
  const networks = createClient(network.VirtualNetworkService, t);
  const vms = createClient(compute.VMService, t);
  const { project } = await projects.createProject({ name: projectName });
  const { node } = await nodes.registerNode(
    create(compute.RegisterNodeRequestSchema, {
      name: `${projectName}-node`,
      spec: {
        hostname: `${projectName}-node.lab`,
        managementIp: "10.0.0.5",
        agentAddress: "127.0.0.1:1",
        cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 },
        memoryMib: 32768n,
      },
    }),
  );
  const { storagePool } = await pools.createStoragePool({
    name: `${projectName}-pool`,
    spec: { type: storage.StoragePoolType.NFS, capacityGib: 100n },
  });
  const { volume } = await volumes.createVolume({
    name: "data",
    projectId: project!.id,
    spec: { poolId: storagePool!.id, sizeGib: 10n },
  });
  const { virtualNetwork } = await networks.createVirtualNetwork({
    name: "lan",
    projectId: project!.id,
    spec: { type: network.NetworkType.VLAN, vlanId: 42, cidr: "10.9.0.0/24" },
  });
  const { vm } = await vms.createVM({
    name: "web",
    projectId: project!.id,
    spec: { vcpus: 2, memoryMib: 1024n, disks: [{ name: "data", volumeId: volume!.id }] },
  });
  return {
    project: project!,
    node: node!,
    pool: storagePool!,
    volume: volume!,
    net: virtualNetwork!,
    vm: vm!,
  };
}

async function readBack(t: Transport, ids: Awaited<ReturnType<typeof writeEverything>>) {
  return {
    project: (await createClient(iam.ProjectService, t).getProject({ id: ids.project.id })).project,
    node: (await createClient(compute.NodeService, t).getNode({ id: ids.node.id })).node,
    pool: (await createClient(storage.StoragePoolService, t).getStoragePool({ id: ids.pool.id })).storagePool,
    volume: (await createClient(storage.VolumeService, t).getVolume({ id: ids.volume.id })).volume,
    net: (await createClient(network.VirtualNetworkService, t).getVirtualNetwork({ id: ids.net.id }))
      .virtualNetwork,
    vm: (await createClient(compute.VMService, t).getVM({ id: ids.vm.id })).vm,
  };
}

async function restartKeepsEverything(config: Config): Promise<void> {
  let server: RunningServer | undefined = await start(config);
  try {
    const written = await writeEverything(
      createGrpcTransport({ baseUrl: server.url, interceptors: [await asAdmin(server)] }),
      "acme",
    );
    if (config.mode === "production") {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/limiquantix_db_pool_connections\{state="total"\} [1-9]/);
    }
    await server.stop();
    server = await start(config);
    const again = await readBack(
      createConnectTransport({
        baseUrl: server.url,
        httpVersion: "1.1",
        interceptors: [await asAdmin(server)],
      }),
      written,
    );
    expect(again.project?.name).toBe("acme");
    expect(again.node?.spec?.hostname).toBe("acme-node.lab");
    expect(again.pool?.spec?.capacityGib).toBe(100n);
    expect(again.volume?.status?.attachment?.vmId).toBe(written.vm.id);
    expect(again.net?.spec?.vlanId).toBe(42);
    expect(again.vm?.status?.nodeId).toBe(written.node.id);
    expect(again.vm?.resourceVersion).toBe(written.vm.resourceVersion);
  } finally {
    await server?.stop();
  }
}

describe("limiquantix-server", () => {
  it("keeps every acknowledged object across a restart in embedded mode", async () => {
    const dir = await makeTempDir("server-embedded");
    try {
      await restartKeepsEverything(testConfig({ mode: "embedded", dataDir: dir.path }));
    } finally {
      await dir.remove();
    }
  }, 120_000);

  it("keeps every acknowledged object across a restart on PostgreSQL, Redis and etcd", async () => {
    const db = await createTestDatabase();
    const redis = await testRedis();
    const etcd = await testEtcd();
    try {
      await restartKeepsEverything(
        testConfig({
          mode: "production",
          database: { url: db.url },
          redis: { url: redis.url, keyPrefix: `lqx-${db.name}:` },
          etcd: { endpoints: [...etcd.endpoints], prefix: `/lqx-${db.name}` },
          auth: { jwtSecret },
        }),
      );
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("refuses to start when the configured PostgreSQL cannot be reached, naming it and its address", async () => {
    const port = await freePort();
    const redis = await testRedis();
    const etcd = await testEtcd();
    const config = testConfig({
      mode: "production",
      database: { url: `postgres://postgres@127.0.0.1:${port}/lqx` },
      redis: { url: redis.url },
      etcd: { endpoints: [...etcd.endpoints] },
      auth: { jwtSecret },
    });
    const err = await start(config).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe("Unavailable");
    expect(err?.message).toContain(`cannot reach PostgreSQL at 127.0.0.1:${port}`);
  }, 60_000);

  it("refuses to start when the agents' certificate files cannot be read, naming the field, and leaves its data directory free", async () => {
    const dir = await makeTempDir("server-agent-tls");
    try {
      const missing = `${dir.path}/missing.pem`;
      const config = testConfig({
        mode: "embedded",
        dataDir: `${dir.path}/data`,
        agents: { tls: { caFile: missing, certFile: missing, keyFile: missing } },
      });
      const err = await start(config).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message: string },
      );
      expect(err?.code).toBe("InvalidArgument");
      expect(err?.message).toContain("agents.tls.caFile");
      // The backends opened meanwhile were closed: the data directory's lock is free again.
      const server = await start(testConfig({ mode: "embedded", dataDir: `${dir.path}/data` }));
      await server.stop();
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it("serves health, readiness, info and metrics beside the RPCs, and the gRPC health protocol", async () => {
    const server = await start(testConfig({ mode: "dev" }));
    try {
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`);
        return { status: res.status, text: await res.text() };
      };
      expect((await get("/health")).status).toBe(200);
      expect(JSON.parse((await get("/live")).text)).toEqual({ status: "alive" });
      const ready = await get("/ready");
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.text).components.database.status).toBe("ok");
      expect(JSON.parse((await get("/api/v1/info")).text)).toMatchObject({ mode: "dev", version: "test" });
      await createClient(
        iam.ProjectService,
        createConnectTransport({
          baseUrl: server.url,
          httpVersion: "1.1",
          interceptors: [await asAdmin(server)],
        }),
      ).listProjects({});
      const metrics = (await get("/metrics")).text;
      expect(metrics).toContain(
        'limiquantix_rpc_requests_total{service="limiquantix.iam.v1.ProjectService",method="ListProjects",code="ok"} 1',
      );
      expect(metrics).toContain("limiquantix_reconciler_queue_depth");
      expect((await get("/nope")).status).toBe(404);
      const probe = createClient(health.Health, createGrpcTransport({ baseUrl: server.url }));
      expect((await probe.check({ service: "" })).status).toBe(
        health.HealthCheckResponse_ServingStatus.SERVING,
      );
      expect((await probe.check({ service: "limiquantix.compute.v1.VMService" })).status).toBe(
        health.HealthCheckResponse_ServingStatus.SERVING,
      );
      expect((await probe.check({ service: "nope.Service" })).status).toBe(
        health.HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN,
      );
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("answers a failed call with its code and a request id", async () => {
    const server = await start(testConfig({ mode: "dev" }));
    try {
      const vmsAs = (interceptors: Interceptor[]) =>
        createClient(
          compute.VMService,
          createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors }),
        );
      const getMissing = (interceptors: Interceptor[]) =>
        vmsAs(interceptors)
          .getVM({ id: "no-such-vm" })
          .catch((e: unknown) => ConnectError.from(e));
      const err = await getMissing([await asAdmin(server)]);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.NotFound);
      expect((err as ConnectError).metadata.get("x-request-id")).toBeTruthy();
      // Without a token the call is refused before it reaches the service, with a request id too.
      const anonymous = await getMissing([]);
      expect((anonymous as ConnectError).code).toBe(Code.Unauthenticated);
      expect((anonymous as ConnectError).metadata.get("x-request-id")).toBeTruthy();
    } finally {
      await server.stop();
    }
  }, 60_000);
});
