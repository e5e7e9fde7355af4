// RPC throughput and latency of the control plane in production mode (PostgreSQL, Redis, etcd from
// the test kit), over 100,000 VMs on 1,000 nodes, with 64 concurrent callers over gRPC on cleartext
// HTTP/2, against the same calls made in-process on the repository (and, for CreateVM, on the
// service), so the RPC layer's cost shows as a ratio. Calls are signed in as the admin; GetVM is also
// measured on a second replica with authentication off, so the cost of checking tokens shows beside
// it, and Login (argon2id) is measured for logins per second. ListVMs pages with a label selector
// and with a project filter are read from the replica's copy and from the repository in turn. Prints a table, or with --json one object.
//
// Request counts and shape come from the environment: LQX_BENCH_GETS, LQX_BENCH_LISTS,
// LQX_BENCH_CREATES, LQX_BENCH_CONCURRENCY, LQX_BENCH_SESSIONS (HTTP/2 connections shared by the
// callers). LQX_TEST_DATABASE_URL, LQX_TEST_REDIS_URL and LQX_TEST_ETCD_ENDPOINTS point the bench at
// existing servers instead of private ones.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release } from "node:os";
import { performance } from "node:perf_hooks";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, iam } from "@limiquantix/api";
import { encodeCursor } from "@limiquantix/domain";
import { createPostgresStore, type PostgresStore } from "@limiquantix/repo-postgres";
import { createTestDatabase, testEtcd, testRedis } from "@limiquantix/testkit";
import { pino } from "pino";
import { ConfigSchema } from "../src/config/schema";
import { systemContext } from "../src/context/call-context";
import { type RunningServer, startServer } from "../src/runtime/server";
import { ARGON2_PARAMETERS } from "../src/auth/identity/passwords";
import { loginAs, withBearer } from "../src/testing/signed-in";
import { type BareServer, startBareServer } from "./bare-server";
import { drive, merge, type Phase, round } from "./drive";

const VMS = 100_000;
const NODES = 1_000;
const TENANTS = 1_000;
/** Each node offers 64 vCPUs and 512 GiB; with the cluster's 2× CPU overcommit that is room for 128 one-vCPU VMs. */
const NODE_VCPUS = 64;
const NODE_MEMORY_MIB = 524_288;
const VM_VCPUS = 1;
const VM_MEMORY_MIB = 2048;
const PROJECT = "bench";
const CLUSTER = "cl";

const json = process.argv.includes("--json");
const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
};
const GETS = envInt("LQX_BENCH_GETS", 6_000);
const LISTS = envInt("LQX_BENCH_LISTS", 1_000);
const CREATES = envInt("LQX_BENCH_CREATES", 1_000);
const CONCURRENCY = envInt("LQX_BENCH_CONCURRENCY", 64);
const SESSIONS = envInt("LQX_BENCH_SESSIONS", 1);
const LOGINS = envInt("LQX_BENCH_LOGINS", 200);
/** Logins hash on libuv's thread pool; a few callers keep both cores busy. */
const LOGIN_CONCURRENCY = 4;
const ADMIN_PASSWORD = "bench-password-of-the-first-user";
const PAGE = 100;

const pad = (n: number, w: number) => String(n).padStart(w, "0");
const vmId = (i: number) => `vm-${pad(i, 6)}`;
/** spread maps the i-th request to a VM index, visiting the table in a scattered but repeatable order. */
const spread = (i: number, m: number) => (i * 7919 + 13) % m;

const log = (m: string) => {
  if (!json) process.stderr.write(`${m}\n`);
};

/**
 * seed stores 1,000 READY nodes (with a fresh heartbeat) and 100,000 running VMs, 100 per node,
 * each node's stored allocation equal to the VMs on it and room left for 28 more.
 */
async function seed(store: PostgresStore): Promise<void> {
  const { db } = store;
  await db.query(`INSERT INTO projects (id, name) VALUES ('${PROJECT}', '${PROJECT}')`);
  await db.query(
    `INSERT INTO clusters (id, name, spec) VALUES ('${CLUSTER}', '${CLUSTER}',
       '{"description":"","ha":{},"drs":{},"overcommit":{"cpu":2,"memory":1.5}}')`,
  );
  const perNode = VMS / NODES;
  const status = {
    phase: "READY",
    allocatable: { vcpus: NODE_VCPUS, memoryMib: NODE_MEMORY_MIB },
    allocated: { vcpus: perNode * VM_VCPUS, memoryMib: perNode * VM_MEMORY_MIB, vmCount: perNode },
    conditions: [],
    lastHeartbeatAt: new Date().toISOString(),
    message: "",
  };
  await db.query(
    `INSERT INTO nodes (id, name, cluster_id, spec, status)
     SELECT 'node-' || lpad(i::text, 4, '0'), 'node-' || lpad(i::text, 4, '0'), '${CLUSTER}',
       jsonb_build_object('hostname', 'node-' || i || '.lab', 'managementIp', '10.0.' || (i / 256) || '.' || (i % 256),
         'roles', '["compute"]'::jsonb, 'taints', '[]'::jsonb,
         'cpu', '{"sockets":2,"coresPerSocket":16,"threadsPerCore":2}'::jsonb,
         'memoryMib', ${NODE_MEMORY_MIB}, 'reserved', '{"vcpus":0,"memoryMib":0}'::jsonb, 'cordoned', false),
       $1::text::jsonb
     FROM generate_series(0, ${NODES - 1}) AS i`,
    [JSON.stringify(status)],
  );
  const spec = {
    description: "",
    cpu: { vcpus: VM_VCPUS },
    memory: { sizeMib: VM_MEMORY_MIB },
    disks: [],
    nics: [],
    nodeSelector: [],
    tolerations: [],
    affinity: {
      vmAffinity: { required: [], preferred: [] },
      vmAntiAffinity: { required: [], preferred: [] },
      hostRules: [],
    },
    ha: { enabled: true, restartPriority: "medium" },
    desiredPowerState: "RUNNING",
    stopMode: "graceful",
  };
  // One statement per 20,000 rows; VM i lives on node i mod 1,000.
  for (let from = 0; from < VMS; from += 20_000) {
    await db.query(
      `INSERT INTO virtual_machines (id, name, labels, project_id, cluster_id, spec, status)
       SELECT 'vm-' || lpad(i::text, 6, '0'), 'vm-' || lpad(i::text, 6, '0'),
         jsonb_build_object('tenant', 't-' || (i % ${TENANTS}), 'env', CASE WHEN i % 2 = 0 THEN 'prod' ELSE 'dev' END),
         '${PROJECT}', '${CLUSTER}', $1::text::jsonb,
         jsonb_build_object('powerState', 'RUNNING', 'nodeId', 'node-' || lpad((i % ${NODES})::text, 4, '0'),
           'ipAddresses', '[]'::jsonb, 'nics', '[]'::jsonb, 'conditions', '[]'::jsonb, 'message', '')
       FROM generate_series(${from}, ${Math.min(from + 20_000, VMS) - 1}) AS i`,
      [JSON.stringify(spec)],
    );
  }
  await db.query("ANALYZE");
}

/** Phase is what one measured run of one call gave. */
/** LoadSampler records the 1-minute load average once a second. */
class LoadSampler {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor() {
    this.timer = setInterval(() => this.samples.push(loadavg()[0]!), 1000);
    this.timer.unref();
  }
  stop(): { min1Max: number; min1Mean: number } {
    clearInterval(this.timer);
    const s = this.samples.length > 0 ? this.samples : [loadavg()[0]!];
    return { min1Max: round(Math.max(...s), 2), min1Mean: round(s.reduce((a, b) => a + b, 0) / s.length, 2) };
  }
}

const loadNow = () => loadavg().map((x) => round(x, 2)) as [number, number, number];

/**
 * waitForControllers waits until this replica is ready and leads. The reconciler's start-up resync
 * walks the placement snapshot (read before the server listens), so leading means it has run.
 */
async function waitForControllers(server: RunningServer): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${server.url}/ready`);
    const body = (await res.json()) as { components?: Record<string, { message?: string }> };
    if (res.status === 200 && body.components?.controllers?.message?.startsWith("leading")) break;
    if (Date.now() > deadline)
      throw new Error(`controllers did not start leading within 60 s: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "unknown";
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadNow();
  const version = (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  log("starting PostgreSQL, Redis and etcd …");
  const [database, redis, etcd] = await Promise.all([createTestDatabase(), testRedis(), testEtcd()]);
  const store = await createPostgresStore({
    connectionString: database.url,
    migrate: true,
    pool: { max: 2 },
  });
  let server: RunningServer | undefined;
  let authOff: RunningServer | undefined;
  let authOn: RunningServer | undefined;
  let bare: BareServer | undefined;
  try {
    log(`seeding ${NODES.toLocaleString("en")} nodes and ${VMS.toLocaleString("en")} VMs …`);
    const seedStarted = performance.now();
    await seed(store);
    const seedSeconds = round((performance.now() - seedStarted) / 1000, 1);
    const pgVersion =
      (await store.db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ??
      "unknown";

    log("starting the server (production mode) …");
    const settings = {
      mode: "production",
      server: { host: "127.0.0.1", port: 0 },
      database: { url: database.url, migrateOnStart: true },
      redis: { url: redis.url },
      etcd: { endpoints: [...etcd.endpoints] },
      logging: { level: "silent", format: "json" },
      simulation: { nodes: 0 },
      // No agents run here: keep the node-health sweep and the reconciler's periodic resync out of the measurements.
      ha: { checkIntervalSec: 3600 },
      reconciler: { resyncIntervalSec: 86_400 },
      // Replicas share the signing secret (production mode asks for one).
      auth: {
        jwtSecret: randomBytes(32).toString("base64url"),
        // The login cell signs in hundreds of times in a few seconds.
        loginRateLimit: { perUser: 10_000, perAddress: 100_000 },
      },
    };
    const config = ConfigSchema.parse(settings);
    process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD = ADMIN_PASSWORD;
    const startupStarted = performance.now();
    server = await startServer(config, { logger: pino({ level: "silent" }), version });
    await waitForControllers(server);
    const startupSeconds = round((performance.now() - startupStarted) / 1000, 1);
    // The bench's own store and clients share the process: a little above the server's alone (see bench:startup).
    const startupRssMib = Math.round(process.memoryUsage().rss / 2 ** 20);
    // GetVM signed in and not is compared on two more replicas alike but for auth.enabled (both
    // standing by, both serving from their own copy), measured in alternating rounds.
    log("starting two more replicas, with authentication on and off …");
    const replica = (enabled: boolean) =>
      startServer(ConfigSchema.parse({ ...settings, auth: { ...settings.auth, enabled } }), {
        logger: pino({ level: "silent" }),
        version,
      });
    authOn = await replica(true);
    authOff = await replica(false);

    // A real session (Login), so every call pays the token and session checks a client's would.
    const admin = withBearer(await loginAs(server.url, "admin", ADMIN_PASSWORD));
    const auth = createClient(iam.AuthService, createGrpcTransport({ baseUrl: server.url }));
    const clientsOf = (url: string, signedIn: boolean): Client<typeof compute.VMService>[] =>
      Array.from(
        { length: SESSIONS },
        (): Transport => createGrpcTransport({ baseUrl: url, interceptors: signedIn ? [admin] : [] }),
      ).map((t) => createClient(compute.VMService, t));
    const clients = clientsOf(server.url, true);
    const openClients = clientsOf(authOff.url, false);
    const signedInClients = clientsOf(authOn.url, true);
    const rpc = (caller: number) => clients[caller % clients.length]!;
    // The floor: a bare connect-node server answering GetVM with a canned copy of a real VM.
    const canned = (await rpc(0).getVM({ id: vmId(0) })).vm;
    if (!canned) throw new Error("GetVM answered no VM");
    bare = await startBareServer(canned);
    const bareClients = clientsOf(bare.url, false);
    const { repos } = server.services.deps;
    const vmService = server.services.vms;

    // Keyset pages start after a scattered VM; each is a full page of 100.
    const cursorAt = (i: number) => {
      const after = vmId(spread(i, VMS - PAGE));
      return encodeCursor({ scope: "VirtualMachine", key: after, id: after });
    };
    // Filtered pages start early enough that half the VMs (env=prod) still fill a page of 100.
    const filteredCursorAt = (i: number) => {
      const after = vmId(spread(i, VMS - 2 * PAGE - 2));
      return encodeCursor({ scope: "VirtualMachine", key: after, id: after });
    };
    const byLabel = { labelSelector: "env=prod" };
    const byProject = { projectId: PROJECT };
    const calls = {
      getBare: (i: number, c: number) =>
        bareClients[c % bareClients.length]!.getVM({ id: vmId(spread(i, VMS)) }),
      login: () => auth.login({ username: "admin", password: ADMIN_PASSWORD }),
      getRpc: (i: number, c: number) => rpc(c).getVM({ id: vmId(spread(i, VMS)) }),
      getRpcAuthOn: (i: number, c: number) =>
        signedInClients[c % signedInClients.length]!.getVM({ id: vmId(spread(i, VMS)) }),
      getRpcAuthOff: (i: number, c: number) =>
        openClients[c % openClients.length]!.getVM({ id: vmId(spread(i, VMS)) }),
      getRepo: (i: number) => repos.vms.get(vmId(spread(i, VMS))),
      // The replica's copy kept by the change log: one read of the log head, no row decoded.
      getCache: (i: number) => vmService.get(systemContext("bench"), vmId(spread(i, VMS))),
      listRpc: (i: number, c: number) => rpc(c).listVMs({ pageSize: PAGE, pageToken: cursorAt(i) }),
      listRepo: (i: number) => repos.vms.list({}, { limit: PAGE, cursor: cursorAt(i) }),
      // VmService.list is what ListVMs runs: from the copy once it has caught up with the log head.
      listLabelCache: (i: number) =>
        vmService.list(systemContext("bench"), byLabel, { limit: PAGE, cursor: filteredCursorAt(i) }),
      listLabelRepo: (i: number) => repos.vms.list(byLabel, { limit: PAGE, cursor: filteredCursorAt(i) }),
      listProjectCache: (i: number) =>
        vmService.list(systemContext("bench"), byProject, { limit: PAGE, cursor: filteredCursorAt(i) }),
      listProjectRepo: (i: number) => repos.vms.list(byProject, { limit: PAGE, cursor: filteredCursorAt(i) }),
      createRpc: (name: string, c: number) =>
        rpc(c).createVM({
          projectId: PROJECT,
          clusterId: CLUSTER,
          name,
          labels: { tenant: "t-new" },
          spec: { vcpus: VM_VCPUS, memoryMib: BigInt(VM_MEMORY_MIB) },
        }),
      createService: (name: string) =>
        vmService.create(systemContext("bench"), {
          projectId: PROJECT,
          clusterId: CLUSTER,
          name,
          labels: { tenant: "t-new" },
          spec: {
            cpu: { vcpus: VM_VCPUS },
            memory: { sizeMib: VM_MEMORY_MIB },
            desiredPowerState: "STOPPED",
          },
        }),
    };
    const check = (await calls.listRpc(0, 0)).vms.length;
    if (check !== PAGE) throw new Error(`a listVMs page held ${check} VMs, expected ${PAGE}`);
    for (const [name, list] of [
      ["label", [calls.listLabelCache, calls.listLabelRepo]],
      ["project", [calls.listProjectCache, calls.listProjectRepo]],
    ] as const) {
      const [fromCopy, fromRepo] = await Promise.all(list.map((f) => f(LISTS - 1)));
      const shape = (p: typeof fromCopy) =>
        JSON.stringify([p?.items.map((v) => v.id), p?.total, p?.nextCursor]);
      if (fromCopy?.items.length !== PAGE || shape(fromCopy) !== shape(fromRepo))
        throw new Error(`the ${name}-filtered page from the copy is not the repository's page of ${PAGE}`);
    }

    log("warming up …");
    const warm = (n: number) => Math.max(1, Math.min(n, Math.floor(n / 10)));
    await drive(warm(GETS), CONCURRENCY, (i, c) => calls.getRpc(i + GETS, c));
    await drive(warm(GETS), CONCURRENCY, (i, c) => calls.getRpcAuthOff(i + GETS, c));
    await drive(warm(GETS), CONCURRENCY, (i, c) => calls.getRpcAuthOn(i + GETS, c));
    await drive(warm(GETS), CONCURRENCY, (i, c) => calls.getBare(i + GETS, c));
    await drive(warm(GETS), CONCURRENCY, (i) => calls.getRepo(i + GETS));
    await drive(warm(GETS), CONCURRENCY, (i) => calls.getCache(i + GETS));
    await drive(warm(LISTS), CONCURRENCY, (i, c) => calls.listRpc(i + LISTS, c));
    await drive(warm(LISTS), CONCURRENCY, (i) => calls.listRepo(i + LISTS));
    await drive(warm(LISTS), CONCURRENCY, (i) => calls.listLabelCache(i + LISTS));
    await drive(warm(LISTS), CONCURRENCY, (i) => calls.listLabelRepo(i + LISTS));
    await drive(warm(LISTS), CONCURRENCY, (i) => calls.listProjectCache(i + LISTS));
    await drive(warm(LISTS), CONCURRENCY, (i) => calls.listProjectRepo(i + LISTS));
    await drive(warm(CREATES), CONCURRENCY, (i, c) => calls.createRpc(`warm-rpc-${pad(i, 6)}`, c));
    await drive(warm(CREATES), CONCURRENCY, (i) => calls.createService(`warm-svc-${pad(i, 6)}`));

    const loadBefore = loadNow();
    const sampler = new LoadSampler();
    const measureStarted = performance.now();
    log(`measuring GetVM (${GETS} calls per side) …`);
    const getRepo = await drive(GETS, CONCURRENCY, (i) => calls.getRepo(i));
    const getCache = await drive(GETS, CONCURRENCY, (i) => calls.getCache(i));
    const getRpc = await drive(GETS, CONCURRENCY, (i, c) => calls.getRpc(i, c));
    // Four rounds each way, alternating, so drifting load weighs on both sides alike.
    const on: Phase[] = [];
    const off: Phase[] = [];
    const quarter = Math.max(1, Math.floor(GETS / 4));
    for (let r = 0; r < 4; r++) {
      off.push(await drive(quarter, CONCURRENCY, (i, c) => calls.getRpcAuthOff(i + r * quarter, c)));
      on.push(await drive(quarter, CONCURRENCY, (i, c) => calls.getRpcAuthOn(i + r * quarter, c)));
    }
    const getRpcAuthOff = merge(off);
    const getRpcAuthOnReplica = merge(on);
    // The server's GetVM and the bare floor, four alternating rounds each: CPU per call compared.
    const floorRounds: Phase[] = [];
    const serverRounds: Phase[] = [];
    for (let r = 0; r < 4; r++) {
      floorRounds.push(await drive(quarter, CONCURRENCY, (i, c) => calls.getBare(i + r * quarter, c)));
      serverRounds.push(await drive(quarter, CONCURRENCY, (i, c) => calls.getRpc(i + r * quarter, c)));
    }
    const getBare = merge(floorRounds);
    const getRpcBesideBare = merge(serverRounds);
    log(`measuring ListVMs (${LISTS} pages of ${PAGE} per side) …`);
    const listRepo = await drive(LISTS, CONCURRENCY, (i) => calls.listRepo(i));
    const listRpc = await drive(LISTS, CONCURRENCY, (i, c) => calls.listRpc(i, c));
    log(`measuring filtered VM pages, copy and repository (${LISTS} pages of ${PAGE} per side and filter) …`);
    const listLabelRepo = await drive(LISTS, CONCURRENCY, (i) => calls.listLabelRepo(i));
    const listLabelCache = await drive(LISTS, CONCURRENCY, (i) => calls.listLabelCache(i));
    const listProjectRepo = await drive(LISTS, CONCURRENCY, (i) => calls.listProjectRepo(i));
    const listProjectCache = await drive(LISTS, CONCURRENCY, (i) => calls.listProjectCache(i));
    log(`measuring CreateVM (${CREATES} creates per side) …`);
    const createService = await drive(CREATES, CONCURRENCY, (i) => calls.createService(`svc-${pad(i, 6)}`));
    const createRpc = await drive(CREATES, CONCURRENCY, (i, c) => calls.createRpc(`rpc-${pad(i, 6)}`, c));
    // Fewer callers: does a create wait on the others (a lock), or only on its own work?
    const fewer = Math.max(1, Math.floor(CREATES / 4));
    const createRpc16 = await drive(fewer, 16, (i, c) => calls.createRpc(`rpc16-${pad(i, 6)}`, c));
    const createRpc1 = await drive(fewer, 1, (i, c) => calls.createRpc(`rpc1-${pad(i, 6)}`, c));
    log(`measuring Login (${LOGINS} sign-ins, ${LOGIN_CONCURRENCY} callers) …`);
    const login = await drive(LOGINS, LOGIN_CONCURRENCY, () => calls.login());
    const measureSeconds = round((performance.now() - measureStarted) / 1000, 1);
    const during = sampler.stop();
    const loadAfter = loadNow();

    // Over the same number of concurrent callers, time per call is concurrency ÷ throughput, so
    // "RPC over repository" is the repository's throughput over the RPC's: 1 means no overhead.
    const ratio = (inProcess: Phase, overRpc: Phase) => round(inProcess.rps / overRpc.rps, 2);
    const result = {
      getVm: {
        rpc: getRpc,
        rpcAuthOnReplica: getRpcAuthOnReplica,
        rpcAuthOffReplica: getRpcAuthOff,
        repo: getRepo,
        cache: getCache,
        bareFramework: getBare,
        rpcBesideBare: getRpcBesideBare,
      },
      listVms: {
        rpc: listRpc,
        repo: listRepo,
        labelSelector: { cache: listLabelCache, repo: listLabelRepo },
        project: { cache: listProjectCache, repo: listProjectRepo },
      },
      createVm: { rpc: createRpc, rpc16Callers: createRpc16, rpc1Caller: createRpc1, service: createService },
      login: {
        rpc: login,
        hash: {
          algorithm: "argon2id",
          memoryKib: ARGON2_PARAMETERS.memoryCost,
          passes: ARGON2_PARAMETERS.timeCost,
          lanes: ARGON2_PARAMETERS.parallelism,
        },
      },
      getVmRpcOverRepo: ratio(getRepo, getRpc),
      getVmCacheOverRepo: ratio(getRepo, getCache),
      getVmCpuOverBare: round(getRpcBesideBare.cpuUsPerCall / getBare.cpuUsPerCall, 2),
      getVmAuthOnOverOff: ratio(getRpcAuthOff, getRpcAuthOnReplica),
      listVmsRpcOverRepo: ratio(listRepo, listRpc),
      listVmsLabelCacheOverRepo: ratio(listLabelRepo, listLabelCache),
      listVmsProjectCacheOverRepo: ratio(listProjectRepo, listProjectCache),
      createVmRpcOverService: ratio(createService, createRpc),
      ratios:
        "in-process requests/s over RPC requests/s at the same concurrency (= RPC time per call over in-process time per call)",
      setup: {
        vms: VMS,
        nodes: NODES,
        concurrency: CONCURRENCY,
        http2Sessions: SESSIONS,
        transport: "gRPC over cleartext HTTP/2 (createGrpcTransport), client and server in one process",
        server:
          "startServer, production mode: PostgreSQL + Redis + etcd, pool max " +
          config.database.pool.max +
          "; two more replicas in the same process, alike but for auth.enabled, for GetVM signed in and not (4 alternating rounds)",
        getVm:
          "GetVM (signed in as the admin; and on a second replica with auth.enabled=false) / repos.vms.get / VmService.get (from the change-log-kept copy) of a scattered VM id",
        listVms: `ListVMs (from the copy) / repos.vms.list, no filter, page of ${PAGE} after a scattered cursor (with total count); and VmService.list (the copy) / repos.vms.list with labelSelector env=prod (half the VMs) and with projectId (every VM), page of ${PAGE} after a scattered cursor (with total count)`,
        createVm: `CreateVM / VmService.create: ${VM_VCPUS} vCPU, ${VM_MEMORY_MIB} MiB, placed by the scheduler and stored with its node's allocation`,
        postgres: pgVersion,
        seedSeconds,
        startupSeconds,
        startupRssMib,
        measureSeconds,
      },
      machine: {
        node: process.version,
        os: `${platform()} ${release()} ${arch()}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        loadAvg: {
          atStart: loadAtStart,
          beforeMeasuring: loadBefore,
          afterMeasuring: loadAfter,
          duringMeasuring: during,
        },
      },
      reproduce: {
        command: "pnpm --filter @limiquantix/server bench -- --json",
        commit: gitCommit(),
        env: {
          LQX_BENCH_GETS: GETS,
          LQX_BENCH_LISTS: LISTS,
          LQX_BENCH_CREATES: CREATES,
          LQX_BENCH_CONCURRENCY: CONCURRENCY,
          LQX_BENCH_SESSIONS: SESSIONS,
          LQX_BENCH_LOGINS: LOGINS,
        },
      },
    };

    if (json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else {
      const row = (name: string, p: Phase) =>
        `${name.padEnd(28)}${String(p.requests).padStart(8)}${String(p.rps).padStart(10)}${p.p50Ms.toFixed(2).padStart(10)}${p.p99Ms.toFixed(2).padStart(10)}${p.cpuUsPerCall.toFixed(0).padStart(12)}`;
      const lines = [
        `LimiQuantix server RPC bench: ${VMS.toLocaleString("en")} VMs on ${NODES.toLocaleString("en")} nodes, PostgreSQL ${pgVersion} (production mode)`,
        `${CONCURRENCY} concurrent callers over ${SESSIONS} HTTP/2 session(s), gRPC h2c; client and server in one process`,
        "",
        `${"call".padEnd(28)}${"calls".padStart(8)}${"req/s".padStart(10)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"CPU µs/call".padStart(12)}`,
        row("GetVM (RPC)", getRpc),
        row("GetVM (replica, auth on)", getRpcAuthOnReplica),
        row("GetVM (replica, auth off)", getRpcAuthOff),
        row("GetVM (beside the floor)", getRpcBesideBare),
        row("GetVM bare connect-node", getBare),
        row("repos.vms.get", getRepo),
        row("VmService.get (cache)", getCache),
        row(`ListVMs ${PAGE} (RPC)`, listRpc),
        row(`repos.vms.list ${PAGE}`, listRepo),
        row("VmService.list env=prod", listLabelCache),
        row("repos.vms.list env=prod", listLabelRepo),
        row("VmService.list project", listProjectCache),
        row("repos.vms.list project", listProjectRepo),
        row("CreateVM (RPC)", createRpc),
        row("CreateVM (RPC, 16 callers)", createRpc16),
        row("CreateVM (RPC, 1 caller)", createRpc1),
        row("VmService.create", createService),
        row(`Login (${LOGIN_CONCURRENCY} callers)`, login),
        "",
        `getVmRpcOverRepo        ${result.getVmRpcOverRepo}`,
        `getVmCacheOverRepo      ${result.getVmCacheOverRepo}   (below 1: the cache is faster)`,
        `getVmAuthOnOverOff      ${result.getVmAuthOnOverOff}   (time per GetVM signed in over with auth off)`,
        `getVmCpuOverBare        ${result.getVmCpuOverBare}   (process CPU per GetVM, the server over a bare connect-node server with a canned VM; goal ≤ 1.15)`,
        `listVmsRpcOverRepo      ${result.listVmsRpcOverRepo}`,
        `listVmsLabelCacheOverRepo    ${result.listVmsLabelCacheOverRepo}   (below 1: the copy is faster)`,
        `listVmsProjectCacheOverRepo  ${result.listVmsProjectCacheOverRepo}   (below 1: the copy is faster)`,
        `createVmRpcOverService  ${result.createVmRpcOverService}`,
        `(${result.ratios})`,
        `Login hashes with argon2id, memory ${ARGON2_PARAMETERS.memoryCost} KiB, ${ARGON2_PARAMETERS.timeCost} passes, ${ARGON2_PARAMETERS.parallelism} lane`,
        "",
        `load average (1/5/15 min): at start ${loadAtStart.join(" ")}, before measuring ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}; ` +
          `1-min max while measuring ${during.min1Max} on ${cpus().length} CPUs`,
        `seed ${seedSeconds} s, server start-up ${startupSeconds} s (RSS ${startupRssMib} MiB), measuring ${measureSeconds} s; node ${process.version}, commit ${result.reproduce.commit}`,
        `reproduce: pnpm --filter @limiquantix/server bench            (table)`,
        `           pnpm --filter @limiquantix/server bench -- --json  (one JSON object)`,
        `           with LQX_BENCH_GETS=${GETS} LQX_BENCH_LISTS=${LISTS} LQX_BENCH_CREATES=${CREATES} LQX_BENCH_CONCURRENCY=${CONCURRENCY} LQX_BENCH_SESSIONS=${SESSIONS} (the defaults unless set)`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
  } finally {
    await bare?.close();
    await authOff?.stop();
    await authOn?.stop();
    await server?.stop();
    await store.close();
    await database.drop().catch(() => undefined);
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
