// Watch fan-out of the control plane in production mode (PostgreSQL, Redis, etcd from the test
// kit): N concurrent WatchVMs streams over gRPC on cleartext HTTP/2 on one replica, then split over
// two replicas on the same database, while a writer changes VM labels through the first replica at
// W writes/s for D seconds. Each write carries its send timestamp; each watcher measures delivery
// latency on receipt and counts what it missed. Replicas run in processes of their own so their
// RSS, CPU and event-loop delay are theirs alone. Prints a table, or with --json one object.
//
// Shape from the environment: LQX_BENCH_WATCHERS (1,000; 10,000 takes about 5 minutes and up to
// 3 GB per replica),
// LQX_BENCH_WRITES_PER_SEC (200), LQX_BENCH_SECONDS (20), LQX_BENCH_REPLICAS (configurations, "1,2"),
// LQX_BENCH_SESSIONS (HTTP/2 sessions per replica, 4), LQX_BENCH_VMS (VMs written in turn, 20),
// LQX_BENCH_WARMUP_SEC (2), LQX_BENCH_DRAIN_SEC (30), LQX_BENCH_OPEN_CONCURRENCY (100).
// LQX_TEST_DATABASE_URL, LQX_TEST_REDIS_URL and LQX_TEST_ETCD_ENDPOINTS point it at existing servers.
// LQX_BENCH_CLIENT (connect): the watchers' client, connect (Connect's gRPC transport, as users
// watch) or raw (node:http2 alone, bench/watch-raw-watchers.ts: the bench process then takes less
// of the machine from the replicas it measures).
// LQX_BENCH_FLOORS (floors run after the replicas, "connect,http2"; "none" for none): the same
// watchers and writes served by a server that only streams (bench/watch-floor.ts), to read the
// replicas' figures against what the framework alone costs on this machine.
// To see where a replica's time goes: LQX_BENCH_CPU_PROF=<dir> (a CPU profile per replica) and
// LQX_BENCH_LOG_LEVEL=warn (the replicas' log on stderr).
// The writer and the watchers sign in as the admin (its password handed to the replicas as
// LQX_BOOTSTRAP_ADMIN_PASSWORD); the replicas share an HS256 secret, so any of them takes the token.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";
import { createPostgresStore } from "@limiquantix/repo-postgres";
import {
  createTestDatabase,
  type RedisTestServer,
  type EtcdTestServer,
  testEtcd,
  testRedis,
} from "@limiquantix/testkit";
import type { ConfigInput } from "../src/config/schema";
import { loginAs, withBearer } from "../src/testing/signed-in";
import { LatencyHistogram } from "./latency-histogram";
import { type ReplicaMemory, type ReplicaProcess, startReplica } from "./replica-process";
import { WATCH_PROJECT, seedWatchedVms, watchVmId } from "./watch-seed";
import { WatcherPool } from "./watch-watchers";
import { RawWatcherPool } from "./watch-raw-watchers";
import { type Configuration, details, floorTable, table } from "./watch-report";
import { type FloorFigures, runFloor } from "./watch-floor";
import type { FloorFramework } from "./watch-floor-server";
import { writeLabels } from "./watch-writer";
import { heapFlags, semiSpaceMib } from "../src/runtime/heap-flags";
import { sleep, waitUntil } from "./wait-until";

const json = process.argv.includes("--json");
const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got ${raw})`);
  return n;
};
const positive = (name: string, fallback: number): number => {
  const n = envInt(name, fallback);
  if (n < 1) throw new Error(`${name} must be at least 1 (got ${n})`);
  return n;
};
const WATCHERS = positive("LQX_BENCH_WATCHERS", 1_000);
const WRITES_PER_SEC = positive("LQX_BENCH_WRITES_PER_SEC", 200);
const SECONDS = positive("LQX_BENCH_SECONDS", 20);
const SESSIONS = positive("LQX_BENCH_SESSIONS", 4);
const VMS = positive("LQX_BENCH_VMS", 20);
const WARMUP_SEC = envInt("LQX_BENCH_WARMUP_SEC", 2);
const DRAIN_SEC = envInt("LQX_BENCH_DRAIN_SEC", 30);
const OPEN_CONCURRENCY = positive("LQX_BENCH_OPEN_CONCURRENCY", 100);
const REPLICAS = (process.env.LQX_BENCH_REPLICAS || "1,2").split(",").map((r) => {
  const n = Number(r.trim());
  if (n !== 1 && n !== 2) throw new Error(`LQX_BENCH_REPLICAS lists 1 and/or 2 (got ${r})`);
  return n;
});

const CLIENT = process.env.LQX_BENCH_CLIENT || "connect";
if (CLIENT !== "connect" && CLIENT !== "raw")
  throw new Error(`LQX_BENCH_CLIENT is connect or raw (got ${CLIENT})`);
const FLOORS: readonly FloorFramework[] = (process.env.LQX_BENCH_FLOORS ?? "connect,http2")
  .split(",")
  .map((f) => f.trim())
  .filter((f) => f !== "" && f !== "none")
  .map((f) => {
    if (f !== "connect" && f !== "http2")
      throw new Error(`LQX_BENCH_FLOORS lists connect and/or http2, or none (got ${f})`);
    return f;
  });

/** The first admin's password the replicas create (children inherit the environment), and their shared secret. */
const ADMIN_PASSWORD = randomBytes(18).toString("base64url");
process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD = ADMIN_PASSWORD;
const JWT_SECRET = randomBytes(32).toString("base64url");

/** goalP99Ms is the delivery goal for this many watchers: p99 < 50 ms at 1,000, < 250 ms at 10,000. */
const goalP99Ms = (watchers: number) => (watchers <= 1_000 ? 50 : watchers <= 10_000 ? 250 : undefined);

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);
const perEvent = (cpuSeconds: number, events: number) =>
  events > 0 ? round((cpuSeconds * 1e6) / events, 1) : 0;
const loadNow = () => loadavg().map((x) => round(x)) as [number, number, number];
const log = (m: string) => {
  if (!json) process.stderr.write(`${m}\n`);
};

/** LoadSampler records the 1-minute load average once a second. */
class LoadSampler {
  private readonly samples: number[] = [];
  private readonly timer = setInterval(() => this.samples.push(loadavg()[0]!), 1000);
  stop(): { min1Max: number; min1Mean: number } {
    clearInterval(this.timer);
    const s = this.samples.length > 0 ? this.samples : [loadavg()[0]!];
    return { min1Max: round(Math.max(...s)), min1Mean: round(s.reduce((a, b) => a + b, 0) / s.length) };
  }
}

async function waitForLeading(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = (await (await fetch(`${url}/ready`)).json()) as {
      components?: Record<string, { message?: string }>;
    };
    if (body.components?.controllers?.message?.startsWith("leading")) return;
    if (Date.now() > deadline)
      throw new Error(`the first replica did not lead within 60 s: ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

async function runConfiguration(
  replicaCount: number,
  redis: RedisTestServer,
  etcd: EtcdTestServer,
  version: string,
): Promise<Configuration> {
  const name = replicaCount === 1 ? "1 replica" : `${replicaCount} replicas`;
  const database = await createTestDatabase();
  const replicas: ReplicaProcess[] = [];
  let pool: WatcherPool | RawWatcherPool | undefined;
  try {
    const store = await createPostgresStore({
      connectionString: database.url,
      migrate: true,
      pool: { max: 2 },
    });
    await seedWatchedVms(store, VMS).finally(() => store.close());
    const config: ConfigInput = {
      mode: "production",
      server: { host: "127.0.0.1", port: 0, shutdownTimeoutSec: 5 },
      database: { url: database.url, migrateOnStart: true },
      redis: { url: redis.url, keyPrefix: `lqxwb:${database.name}:` },
      etcd: { endpoints: [...etcd.endpoints], prefix: `/lqx-watch-bench/${database.name}` },
      logging: { level: "silent", format: "json" },
      simulation: { nodes: 0 },
      // No agents run here: keep the node-health sweep and the reconciler's periodic resync out of the measurements.
      ha: { checkIntervalSec: 3600 },
      reconciler: { resyncIntervalSec: 86_400 },
      auth: { jwtSecret: JWT_SECRET },
    };
    log(`[${name}] starting ${replicaCount} replica process(es) …`);
    replicas.push(await startReplica(config, version));
    await waitForLeading(replicas[0]!.url);
    if (replicaCount === 2) replicas.push(await startReplica(config, version));
    await sleep(1000);
    const token = await loginAs(replicas[0]!.url, "admin", ADMIN_PASSWORD);
    const memBefore = await Promise.all(replicas.map((r) => r.memory()));

    log(`[${name}] opening ${WATCHERS} watchers over ${SESSIONS} HTTP/2 session(s) per replica …`);
    const shape = {
      replicas: replicas.map((r) => r.url),
      watchers: WATCHERS,
      sessionsPerReplica: SESSIONS,
      projectId: WATCH_PROJECT,
      token,
      openConcurrency: OPEN_CONCURRENCY,
    };
    pool = CLIENT === "raw" ? new RawWatcherPool(shape) : new WatcherPool(shape);
    const openStarted = performance.now();
    await pool.open();
    const openSeconds = round((performance.now() - openStarted) / 1000);
    await sleep(1000);
    const memWatching = await Promise.all(replicas.map((r) => r.memory()));

    const writer = createClient(
      compute.VMService,
      createGrpcTransport({ baseUrl: replicas[0]!.url, interceptors: [withBearer(token)] }),
    );
    const vmIds = Array.from({ length: VMS }, (_, i) => watchVmId(i));
    const warm = WARMUP_SEC * WRITES_PER_SEC;
    if (warm > 0) {
      log(`[${name}] warming up: ${warm} writes …`);
      const w = await writeLabels(writer, { vmIds, fromSeq: 0, count: warm, perSecond: WRITES_PER_SEC });
      await waitUntil(() => pool!.caughtUp(0, w.acked), DRAIN_SEC);
    }

    const count = SECONDS * WRITES_PER_SEC;
    pool.measure(warm, count);
    await Promise.all(replicas.map((r) => r.begin(warm)));
    const loadBefore = loadNow();
    const sampler = new LoadSampler();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    log(`[${name}] writing ${count} label changes at ${WRITES_PER_SEC}/s …`);
    const run = await writeLabels(writer, { vmIds, fromSeq: warm, count, perSecond: WRITES_PER_SEC });
    const drainSeconds = await waitUntil(() => pool!.caughtUp(run.acked), DRAIN_SEC);
    const cpu = process.cpuUsage(cpuBefore);
    loop.disable();
    const phases = await Promise.all(replicas.map((r) => r.end()));
    const whileWriting = sampler.stop();
    const loadAfter = loadNow();
    const memAfter = await Promise.all(replicas.map((r) => r.memory()));

    const tally = pool.tally(run.acks);
    const all = new LatencyHistogram();
    for (const h of pool.latency) all.add(h);
    const delivery = all.summary();
    const goal = goalP99Ms(WATCHERS);
    const cutOff = Object.values(tally.cutOff).reduce((a, b) => a + b, 0);
    const { acks: _acks, ...writes } = run;
    return {
      name,
      watchers: WATCHERS,
      replicas: replicaCount,
      writes: { targetPerSec: WRITES_PER_SEC, ...writes },
      delivery: {
        ...delivery,
        goalP99Ms: goal,
        goalMet: goal === undefined ? undefined : delivery.p99Ms < goal,
      },
      events: {
        expected: tally.expected,
        received: tally.received,
        dropped: tally.expected - tally.received,
        duplicates: tally.duplicates,
        watchersCutOff: cutOff,
        cutOffBy: tally.cutOff,
      },
      openSeconds,
      drainSeconds,
      perReplica: replicas.map((_, i) => {
        const on = Math.floor(WATCHERS / replicaCount) + (i < WATCHERS % replicaCount ? 1 : 0);
        const m = (x: readonly ReplicaMemory[], k: keyof ReplicaMemory) => mib(x[i]![k]);
        const three = (k: keyof ReplicaMemory) => ({
          before: m(memBefore, k),
          watching: m(memWatching, k),
          after: m(memAfter, k),
        });
        const per = (x: readonly ReplicaMemory[]) =>
          on > 0 ? round((x[i]!.rss - memBefore[i]!.rss) / 1024 / on, 1) : 0;
        return {
          name: String.fromCharCode(65 + i),
          watchers: on,
          rssMiB: { before: m(memBefore, "rss"), watching: m(memWatching, "rss"), after: m(memAfter, "rss") },
          heapUsedMiB: three("heapUsed"),
          heapTotalMiB: three("heapTotal"),
          externalMiB: three("external"),
          rssPerWatcherKiB: { open: per(memWatching), afterWrites: per(memAfter) },
          delivery: pool!.latency[i]!.summary(),
          whileWriting: phases[i]!,
          cpuMicrosPerEvent: perEvent(phases[i]!.cpuSeconds, pool!.latency[i]!.summary().count),
        };
      }),
      benchProcess: {
        cpuSeconds: round((cpu.user + cpu.system) / 1e6),
        cpuMicrosPerEvent: perEvent((cpu.user + cpu.system) / 1e6, delivery.count),
        loopDelayP99Ms: round(loop.percentile(99) / 1e6),
        loopDelayMaxMs: round(loop.max / 1e6),
      },
      loadAvg: { beforeWriting: loadBefore, afterWriting: loadAfter, whileWriting },
    };
  } finally {
    await pool?.close();
    for (const r of replicas.reverse()) await r.stop();
    await database.drop().catch(() => undefined);
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

const ENV_LINE = () =>
  `LQX_BENCH_WATCHERS=${WATCHERS} LQX_BENCH_WRITES_PER_SEC=${WRITES_PER_SEC} LQX_BENCH_SECONDS=${SECONDS} ` +
  `LQX_BENCH_REPLICAS=${REPLICAS.join(",")} LQX_BENCH_SESSIONS=${SESSIONS} LQX_BENCH_VMS=${VMS} ` +
  `LQX_BENCH_WARMUP_SEC=${WARMUP_SEC} LQX_BENCH_DRAIN_SEC=${DRAIN_SEC} LQX_BENCH_OPEN_CONCURRENCY=${OPEN_CONCURRENCY} ` +
  `LQX_BENCH_CLIENT=${CLIENT} LQX_BENCH_FLOORS=${FLOORS.join(",") || "none"}`;

async function main(): Promise<void> {
  const loadAtStart = loadNow();
  const started = performance.now();
  const version = (
    JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  log("starting PostgreSQL, Redis and etcd …");
  const [redis, etcd] = await Promise.all([testRedis(), testEtcd()]);
  const configurations: Configuration[] = [];
  for (const r of REPLICAS) configurations.push(await runConfiguration(r, redis, etcd, version));
  const floors: FloorFigures[] = [];
  for (const framework of FLOORS) {
    log(`[floor ${framework}] ${WATCHERS} watchers, ${WRITES_PER_SEC} writes/s for ${SECONDS} s …`);
    floors.push(
      await runFloor(framework, {
        watchers: WATCHERS,
        sessions: SESSIONS,
        writesPerSec: WRITES_PER_SEC,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SEC,
        drainSeconds: DRAIN_SEC,
        openConcurrency: OPEN_CONCURRENCY,
      }),
    );
  }
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  const result = {
    configurations,
    floors,
    goal: "delivery p99 < 50 ms at 1,000 watchers and < 250 ms at 10,000; dropped must be 0",
    setup: {
      watchers: WATCHERS,
      writesPerSec: WRITES_PER_SEC,
      seconds: SECONDS,
      warmupSeconds: WARMUP_SEC,
      vmsWritten: VMS,
      http2SessionsPerReplica: SESSIONS,
      transport:
        CLIENT === "raw"
          ? "WatchVMs (project filter) over gRPC on cleartext HTTP/2 (node:http2 alone, every message decoded); the writer (Connect) has its own session"
          : "WatchVMs (project filter) over gRPC on cleartext HTTP/2 (createGrpcTransport); the writer has its own session",
      server:
        "startServer, production mode (PostgreSQL + Redis + etcd), each replica in its own process; the writer writes through replica A",
      latency:
        "writer's send timestamp (in the label it sets) to receipt by the watcher, in the bench process; it includes the UpdateVM call",
      relayLag:
        "send timestamp to the replica's relay handing the change to its listeners (clocks of two processes on one machine)",
      totalSeconds,
    },
    machine: {
      node: process.version,
      os: `${platform()} ${release()} ${arch()}`,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      loadAvgAtStart: loadAtStart,
      loadAvgAtEnd: loadNow(),
      replicaSemiSpaceMib: semiSpaceMib(heapFlags(process.execArgv, process.env)) ?? "node default",
    },
    reproduce: {
      command: "pnpm --filter @limiquantix/server bench:watch -- --json",
      commit: gitCommit(),
      env: ENV_LINE(),
    },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const lines = [
      `LimiQuantix server watch bench: WatchVMs over gRPC h2c (${CLIENT === "raw" ? "raw HTTP/2" : "Connect"} client), ${WATCHERS} watchers, ${WRITES_PER_SEC} writes/s for ${SECONDS} s through replica A, ${VMS} VMs written in turn (production mode)`,
      `latency = writer's send timestamp to receipt (includes the UpdateVM call); goal: p99 < 50 ms at 1,000 watchers, < 250 ms at 10,000; dropped must be 0`,
      "",
      ...table(configurations),
      "",
      ...configurations.flatMap((c) => details(c, DRAIN_SEC)),
      "",
      ...(floors.length > 0 ? [...floorTable(floors, DRAIN_SEC), ""] : []),
      `${cpus().length} CPUs (${cpus()[0]?.model ?? "unknown"}), node ${process.version}, commit ${result.reproduce.commit}; load average at start ${loadAtStart.join(" ")}; ${totalSeconds} s in all`,
      `replica heap: semi-space ${result.machine.replicaSemiSpaceMib}${typeof result.machine.replicaSemiSpaceMib === "number" ? " MiB" : ""} (LQX_SEMI_SPACE_MIB, as the binary)`,
      "reproduce: pnpm --filter @limiquantix/server bench:watch            (table)",
      "           pnpm --filter @limiquantix/server bench:watch -- --json  (one JSON object)",
      `           with ${ENV_LINE()} (the defaults unless set)`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
