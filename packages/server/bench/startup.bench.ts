// Start-up of the control plane over 100,000 VMs on 1,000 nodes, in both modes that keep data:
// embedded (PGlite in a data directory) and production (PostgreSQL, Redis and etcd from the test
// kit). Each start runs in a fresh process (startup-run.ts) and is timed from the startServer call
// to the first /ready that answers 200 with the controllers leading; the process's resident memory
// is read then. Modes alternate start by start, so drifting load weighs on both alike. Prints a
// table, or with --json one object.
//
// LQX_BENCH_STARTS (default 5) is the number of measured starts per mode, after one unmeasured
// start each. LQX_BENCH_SRCS, a comma-separated list of packages/server/src directories (default:
// this checkout's), times several versions of the server on the same data, alternating.
// LQX_TEST_DATABASE_URL, LQX_TEST_REDIS_URL and LQX_TEST_ETCD_ENDPOINTS point it at existing servers.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { createPgliteStore, createPostgresStore, type PostgresStore } from "@limiquantix/repo-postgres";
import { createTestDatabase, testEtcd, testRedis } from "@limiquantix/testkit";
import { type SeedShape, seedVms } from "./seed-vms";

const SHAPE: SeedShape = {
  vms: 100_000,
  nodes: 1_000,
  tenants: 1_000,
  nodeVcpus: 64,
  nodeMemoryMib: 524_288,
  vmVcpus: 1,
  vmMemoryMib: 2048,
  project: "bench",
  cluster: "cl",
};
const json = process.argv.includes("--json");
const STARTS = Number(process.env.LQX_BENCH_STARTS ?? 5);
const SRCS = (process.env.LQX_BENCH_SRCS ?? fileURLToPath(new URL("../src", import.meta.url)))
  .split(",")
  .filter(Boolean);
const log = (m: string) => {
  if (!json) process.stderr.write(`${m}\n`);
};

/** Run is what one start measured (see startup-run.ts). */
interface Run {
  readonly importMs: number;
  readonly startServerMs: number;
  readonly readyMs: number;
  readonly rssMib: number;
  readonly heapUsedMib: number;
  readonly maxRssMib: number;
}

function runOnce(src: string, settings: object): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=limiquantix-source",
        fileURLToPath(new URL("./startup-run.ts", import.meta.url)),
      ],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        env: {
          ...process.env,
          LQX_STARTUP_CONFIG: JSON.stringify(settings),
          LQX_STARTUP_SRC: src,
          LQX_BOOTSTRAP_ADMIN_PASSWORD: "bench-password-of-the-first-user",
        },
        maxBuffer: 1 << 20,
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`a start failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as Run);
      },
    );
  });
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
};

async function main(): Promise<void> {
  log("starting PostgreSQL, Redis and etcd …");
  const [database, redis, etcd] = await Promise.all([createTestDatabase(), testRedis(), testEtcd()]);
  const dataDir = mkdtempSync(join(tmpdir(), "lqx-startup-"));
  let pg: PostgresStore | undefined;
  try {
    log(
      `seeding ${SHAPE.vms.toLocaleString("en")} VMs on ${SHAPE.nodes.toLocaleString("en")} nodes, in PostgreSQL and in PGlite …`,
    );
    const seedStarted = performance.now();
    pg = await createPostgresStore({ connectionString: database.url, migrate: true, pool: { max: 2 } });
    await seedVms(pg.db, SHAPE);
    const lite = await createPgliteStore({ dataDir: join(dataDir, "db"), migrate: true });
    await seedVms(lite.db, SHAPE);
    await lite.close();
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    const common = {
      server: { host: "127.0.0.1", port: 0 },
      logging: { level: "silent", format: "json" },
      simulation: { nodes: 0 },
      ha: { checkIntervalSec: 3600 },
      reconciler: { resyncIntervalSec: 86_400 },
    };
    const modes = {
      embedded: { ...common, mode: "embedded", dataDir },
      production: {
        ...common,
        mode: "production",
        database: { url: database.url, migrateOnStart: true },
        redis: { url: redis.url },
        etcd: { endpoints: [...etcd.endpoints] },
        auth: { jwtSecret: randomBytes(32).toString("base64url") },
      },
    } as const;
    const runs = new Map<string, Run[]>();
    const key = (src: string, mode: string) => `${src}\t${mode}`;
    for (let round = -1; round < STARTS; round++) {
      for (const src of SRCS)
        for (const [mode, settings] of Object.entries(modes)) {
          const run = await runOnce(src, settings);
          log(
            `${round < 0 ? "warm-up" : `start ${round + 1}/${STARTS}`} ${mode} ${src}: ready in ${run.readyMs} ms, RSS ${run.rssMib} MiB`,
          );
          if (round >= 0) runs.set(key(src, mode), [...(runs.get(key(src, mode)) ?? []), run]);
        }
    }
    const summary = [...runs].map(([k, rs]) => {
      const [src, mode] = k.split("\t") as [string, string];
      const ready = rs.map((r) => r.readyMs);
      return {
        src,
        mode,
        starts: rs.length,
        readyMsMedian: median(ready),
        readyMsMin: Math.min(...ready),
        readyMsMax: Math.max(...ready),
        startServerMsMedian: median(rs.map((r) => r.startServerMs)),
        importMsMedian: median(rs.map((r) => r.importMs)),
        rssMibMedian: median(rs.map((r) => r.rssMib)),
        maxRssMibMedian: median(rs.map((r) => r.maxRssMib)),
        heapUsedMibMedian: median(rs.map((r) => r.heapUsedMib)),
        runs: rs,
      };
    });
    const result = {
      vms: SHAPE.vms,
      nodes: SHAPE.nodes,
      seedSeconds,
      summary,
      machine: {
        node: process.version,
        cpus: cpus().length,
        loadAvg: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      reproduce: "pnpm --filter @limiquantix/server bench:startup [-- --json]",
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const lines = [
        `LimiQuantix server start-up: ${SHAPE.vms.toLocaleString("en")} VMs on ${SHAPE.nodes.toLocaleString("en")} nodes, ${STARTS} starts per mode (alternating), node ${process.version}, ${cpus().length} CPUs`,
        "",
        `${"mode".padEnd(12)}${"ready ms (median, min–max)".padEnd(30)}${"startServer ms".padStart(16)}${"RSS MiB".padStart(10)}${"peak RSS".padStart(10)}${"heap MiB".padStart(10)}  source`,
        ...summary.map(
          (s) =>
            `${s.mode.padEnd(12)}${`${s.readyMsMedian} (${s.readyMsMin}–${s.readyMsMax})`.padEnd(30)}${String(s.startServerMsMedian).padStart(16)}${String(s.rssMibMedian).padStart(10)}${String(s.maxRssMibMedian).padStart(10)}${String(s.heapUsedMibMedian).padStart(10)}  ${s.src}`,
        ),
        "",
        "ready: from the startServer call to the first /ready answering 200 with the controllers leading; RSS read then, peak RSS over the process's life (module loading excluded from the times)",
        `load average ${result.machine.loadAvg.join(" ")}; seed ${seedSeconds} s`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
  } finally {
    await pg?.close();
    await database.drop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
