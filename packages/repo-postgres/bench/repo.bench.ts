// Repository latency on PostgreSQL and on PGlite, over 100,000 VMs on 1,000 nodes. Prints a
// table, or with --json one object { postgres: {…}, pglite: {…} }.
//
// PostgreSQL is a private server of the test kit started with a production-like
// shared_buffers (LQX_BENCH_SHARED_BUFFERS, default 1GB: the data set is about 160 MB and
// PostgreSQL's default of 128MB would measure the OS page cache instead), or the server at
// LQX_TEST_DATABASE_URL as it is configured. After seeding, VACUUM (ANALYZE) and CHECKPOINT
// settle the tables so autovacuum does not run during the measurement; the reads are then
// measured interleaved (one of each per round, in rotating order) so that every operation
// and the selectOne floor see the same conditions.
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { VirtualMachineInput } from "@limiquantix/domain";
import {
  createTestDatabase,
  makeTempDir,
  POSTGRES_URL_ENV,
  startPrivatePostgres,
} from "@limiquantix/testkit";
import { createPgliteStore, createPostgresStore, type PostgresStore } from "../src/store";

const VMS = 100_000;
const NODES = 1_000;
const TENANTS = 1_000;
const json = process.argv.includes("--json");
const iterations = Number(process.env.LQX_BENCH_ITERATIONS ?? 400);

const pad = (n: number, w: number) => String(n).padStart(w, "0");
const nodeId = (i: number) => `node-${pad(i, 4)}`;
const vmId = (i: number) => `vm-${pad(i, 6)}`;

async function seed(store: PostgresStore): Promise<void> {
  const { db } = store;
  await db.query("INSERT INTO projects (id, name) VALUES ('bench', 'bench')");
  await db.query(
    `INSERT INTO clusters (id, name, spec) VALUES ('cl', 'cl', '{"description":"","ha":{},"drs":{},"overcommit":{"cpu":2,"memory":1.5}}')`,
  );
  await db.query(
    `INSERT INTO nodes (id, name, cluster_id, spec, status)
     SELECT 'node-' || lpad(i::text, 4, '0'), 'node-' || lpad(i::text, 4, '0'), 'cl',
       jsonb_build_object('hostname', 'node-' || i || '.lab', 'managementIp', '10.0.' || (i / 256) || '.' || (i % 256),
         'roles', '["compute"]'::jsonb, 'taints', '[]'::jsonb, 'cpu', '{"sockets":2,"coresPerSocket":16,"threadsPerCore":2}'::jsonb,
         'memoryMib', 524288, 'reserved', '{"vcpus":0,"memoryMib":0}'::jsonb, 'cordoned', false),
       '{"phase":"READY","allocatable":{"vcpus":64,"memoryMib":524288},"allocated":{"vcpus":0,"memoryMib":0,"vmCount":0},"conditions":[],"message":""}'::jsonb
     FROM generate_series(0, ${NODES - 1}) AS i`,
  );
  const spec = {
    description: "",
    cpu: { vcpus: 2 },
    memory: { sizeMib: 2048 },
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
  };
  // Bulk insert in server-side batches: one statement per 20,000 rows.
  for (let from = 0; from < VMS; from += 20_000) {
    await db.query(
      `INSERT INTO virtual_machines (id, name, labels, project_id, cluster_id, spec, status)
       SELECT 'vm-' || lpad(i::text, 6, '0'), 'vm-' || lpad(i::text, 6, '0'),
         jsonb_build_object('tenant', 't-' || (i % ${TENANTS}), 'env', CASE WHEN i % 2 = 0 THEN 'prod' ELSE 'dev' END),
         'bench', 'cl', $1::text::jsonb,
         jsonb_build_object('powerState', 'RUNNING', 'nodeId', 'node-' || lpad((i % ${NODES})::text, 4, '0'),
           'ipAddresses', '[]'::jsonb, 'conditions', '[]'::jsonb, 'message', '')
       FROM generate_series(${from}, ${Math.min(from + 20_000, VMS) - 1}) AS i`,
      [JSON.stringify(spec)],
    );
  }
  await db.exec("VACUUM (ANALYZE)");
  await db.exec("CHECKPOINT");
}

interface Stats {
  med: number;
  p99: number;
}

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { med: round(at(0.5)), p99: round(at(0.99)) };
}

type Op = (i: number) => Promise<unknown>;

/** measureInterleaved times n rounds of every operation, one of each per round in rotating order. */
async function measureInterleaved(n: number, ops: Record<string, Op>): Promise<Record<string, Stats>> {
  const names = Object.keys(ops);
  const times = new Map(names.map((k) => [k, [] as number[]]));
  for (let i = 0; i < 50; i++) for (const k of names) await ops[k]!(i + 1_000_000);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(i + j) % names.length]!;
      const t0 = performance.now();
      await ops[k]!(i);
      times.get(k)!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(names.map((k) => [k, stats(times.get(k)!)]));
}

async function measure(n: number, op: Op): Promise<Stats> {
  return (await measureInterleaved(n, { op })).op!;
}

async function run(store: PostgresStore, n: number): Promise<Record<string, number | string>> {
  await seed(store);
  const { repos, db } = store;
  const rnd = (i: number, m: number) => (i * 7919) % m;
  const reads = await measureInterleaved(n, {
    selectOne: () => db.query("SELECT 1"),
    getVm: (i) => repos.vms.get(vmId(rnd(i, VMS))),
    listByLabel: (i) => repos.vms.list({ labelSelector: `tenant=t-${rnd(i, TENANTS)}` }, { limit: 100 }),
    listByNode: (i) => repos.vms.listByNode(nodeId(rnd(i, NODES))),
  });
  const { selectOne, getVm, listByLabel, listByNode } = reads as Record<string, Stats>;
  let created = 0;
  const createVm = await measure(n, () => {
    created++;
    const input: VirtualMachineInput = {
      id: `new-${pad(created, 7)}`,
      name: `new-${pad(created, 7)}`,
      labels: { tenant: "t-new" },
      projectId: "bench",
      spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 2048 } },
      status: { nodeId: nodeId(created % NODES) },
    };
    return repos.vms.create(input);
  });
  const buffers = await db.query<{ shared_buffers: string }>("SHOW shared_buffers");
  const ratio = (x: number) => Math.round((x / selectOne!.med) * 100) / 100;
  return {
    vms: VMS,
    nodes: NODES,
    iterations: n,
    sharedBuffers: buffers.rows[0]?.shared_buffers ?? "",
    selectOneMedMs: selectOne!.med,
    selectOneP99Ms: selectOne!.p99,
    getVmMedMs: getVm!.med,
    getVmP99Ms: getVm!.p99,
    listByLabelMedMs: listByLabel!.med,
    listByLabelP99Ms: listByLabel!.p99,
    listByNodeMedMs: listByNode!.med,
    listByNodeP99Ms: listByNode!.p99,
    createVmMedMs: createVm.med,
    createVmP99Ms: createVm.p99,
    getVmOverSelectOne: ratio(getVm!.med),
    listByLabelOverSelectOne: ratio(listByLabel!.med),
  };
}

async function main(): Promise<void> {
  const log = (m: string) => {
    if (!json) process.stderr.write(`${m}\n`);
  };
  log("seeding PostgreSQL …");
  // A server of the bench's own, sized for the data set, unless one is given.
  const server = process.env[POSTGRES_URL_ENV]
    ? undefined
    : await startPrivatePostgres({
        settings: { shared_buffers: process.env.LQX_BENCH_SHARED_BUFFERS ?? "1GB" },
      });
  const database = await createTestDatabase(server);
  const pgStore = await createPostgresStore({
    connectionString: database.url,
    migrate: true,
    pool: { max: 4 },
  });
  let postgres: Record<string, number | string>;
  try {
    postgres = await run(pgStore, iterations);
  } finally {
    await pgStore.close();
    await database.drop();
    await server?.stop();
  }
  log("seeding PGlite …");
  const dir = await makeTempDir("bench-pglite");
  const liteStore = await createPgliteStore({ dataDir: join(dir.path, "data"), migrate: true });
  let pglite: Record<string, number | string>;
  try {
    pglite = await run(liteStore, iterations);
  } finally {
    await liteStore.close();
    await dir.remove();
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ postgres, pglite })}\n`);
  } else {
    const keys = Object.keys(postgres);
    const rows = keys.map(
      (k) => `${k.padEnd(20)} ${String(postgres[k]).padStart(10)} ${String(pglite[k]).padStart(10)}`,
    );
    process.stdout.write(
      `${"".padEnd(20)} ${"postgres".padStart(10)} ${"pglite".padStart(10)}\n${rows.join("\n")}\n`,
    );
  }
  process.exit(0);
}

void main();
