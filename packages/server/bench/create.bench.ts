// CreateVM over gRPC in both modes, side by side in one run: embedded (PGlite in a temporary
// directory) and production (PostgreSQL, Redis and etcd from the test kit), each with 100 READY
// nodes registered and nothing else stored, at 1, 16 and 64 concurrent callers signed in as the
// admin. The callers run in a process of their own (bench/create-callers.ts), so the server's CPU
// per create is measured alone, beside the callers'. Prints a table (requests/s, p50/p99 ms, CPU
// per create of the server, of the callers and, in production on Linux, of PostgreSQL's
// processes: every process named postgres on the machine), or with --json one object. LQX_BENCH_CREATES
// (default 400) creates per cell; LQX_BENCH_CALLERS (default 1,16,64) the callers of each cell;
// the modes alternate cell by cell; `--only embedded|production` runs one mode (for profiling:
// node --cpu-prof profiles the server alone). The server runs with the binary's heap settings
// (LQX_SEMI_SPACE_MIB as for limiquantix-server; "default" for Node's own).
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, testEtcd, testRedis } from "@limiquantix/testkit";
import { pino } from "pino";
import { ConfigSchema, type ConfigInput } from "../src/config/schema";
import { systemContext } from "../src/context/call-context";
import { relaunchWithHeapFlags, semiSpaceMib } from "../src/runtime/heap-flags";
import { type RunningServer, startServer } from "../src/runtime/server";
import { loginAs } from "../src/testing/signed-in";
import { CALLERS_ENV, type CallersReply, type CallersRequest } from "./create-callers";
import { databaseCpuMs } from "./database-cpu";
import { type Phase, round } from "./drive";

const json = process.argv.includes("--json");
const CREATES = Number(process.env.LQX_BENCH_CREATES || 400);
if (!Number.isInteger(CREATES) || CREATES < 1)
  throw new Error("LQX_BENCH_CREATES must be a positive integer");
const CALLERS: readonly number[] = (process.env.LQX_BENCH_CALLERS ?? "1,16,64").split(",").map(Number);
if (CALLERS.some((n) => !Number.isInteger(n) || n < 1))
  throw new Error("LQX_BENCH_CALLERS must be a comma-separated list of positive integers");
const onlyAt = process.argv.indexOf("--only");
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
if (ONLY !== undefined && ONLY !== "embedded" && ONLY !== "production")
  throw new Error("--only takes embedded or production");
const NODES = 100;
const ADMIN_PASSWORD = "bench-password-of-the-first-user";
const log = (m: string) => {
  if (!json) process.stderr.write(`${m}\n`);
};

/** Shared by both modes: no agents, so no node-health sweep or resync in the measurements. */
const common: ConfigInput = {
  server: { host: "127.0.0.1", port: 0 },
  logging: { level: "silent", format: "json" },
  simulation: { nodes: 0 },
  ha: { checkIntervalSec: 3600 },
  reconciler: { resyncIntervalSec: 86_400 },
};

/** Cell is what one cell measured: the callers' phase, and the server's own CPU per create. */
interface Cell extends Phase {
  /** The server process's CPU time per create (µs): user + system, callers excluded. */
  readonly serverCpuUsPerCreate: number;
  /** The callers' process's CPU time per create (µs). */
  readonly callersCpuUsPerCreate: number;
  /** PostgreSQL's processes' CPU time per create (µs; production on Linux, else absent). */
  readonly databaseCpuUsPerCreate?: number;
}

/** Mode is one server under test and its callers' process. */
interface Mode {
  readonly name: "embedded" | "production";
  readonly server: RunningServer;
  readonly run: (prefix: string, total: number, callers: number) => Promise<Cell>;
  readonly close: () => Promise<void>;
}

/** startCallers forks the callers' process for a server and returns how to ask it for a run. */
function startCallers(url: string, token: string, measuresDatabase: boolean): Pick<Mode, "run" | "close"> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./create-callers.ts", import.meta.url)), [], {
    // The parent's execArgv carries tsx's loader and the source condition, but not a profiler.
    execArgv: process.execArgv.filter((a) => !a.startsWith("--cpu-prof")),
    env: { ...process.env, [CALLERS_ENV]: JSON.stringify({ url, token }) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    run: (prefix, total, callers) =>
      new Promise<Cell>((resolve, reject) => {
        const before = process.cpuUsage();
        const dbBefore = measuresDatabase ? databaseCpuMs() : undefined;
        const gone = () => reject(new Error("the callers' process exited"));
        child.once("exit", gone);
        child.once("message", (m: CallersReply) => {
          child.off("exit", gone);
          const cpu = process.cpuUsage(before);
          const dbAfter = dbBefore === undefined ? undefined : databaseCpuMs();
          if (m.type === "failed") return reject(new Error(`callers failed: ${m.error}`));
          resolve({
            ...m.phase,
            serverCpuUsPerCreate: round((cpu.user + cpu.system) / total, 1),
            callersCpuUsPerCreate: m.phase.cpuUsPerCall,
            ...(dbBefore !== undefined && dbAfter !== undefined
              ? { databaseCpuUsPerCreate: round(((dbAfter - dbBefore) * 1000) / total, 1) }
              : {}),
          });
        });
        child.send({ type: "run", prefix, total, callers } satisfies CallersRequest);
      }),
    close: async () => {
      if (child.connected) child.send({ type: "stop" } satisfies CallersRequest);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function open(name: Mode["name"], settings: ConfigInput): Promise<Mode> {
  process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD = ADMIN_PASSWORD;
  const server = await startServer(ConfigSchema.parse({ ...common, ...settings }), {
    logger: pino({ level: "silent" }),
    version: "bench",
  });
  const ctx = systemContext("bench");
  for (let i = 0; i < NODES; i++)
    await server.services.nodeAgents.register(ctx, {
      name: `n-${i}`,
      hostname: `n-${i}.bench`,
      managementIp: "10.0.0.1",
      agentAddress: `127.0.0.1:${20_000 + i}`,
      cpu: { sockets: 2, coresPerSocket: 32, threadsPerCore: 2 },
      memoryMib: 1_048_576,
    });
  const callers = startCallers(
    server.url,
    await loginAs(server.url, "admin", ADMIN_PASSWORD),
    name === "production",
  );
  return { name, server, ...callers };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const dataDir = await mkdtemp(join(tmpdir(), "lqx-create-bench-"));
  const [database, redis, etcd] = await Promise.all([createTestDatabase(), testRedis(), testEtcd()]);
  const modes: Mode[] = [];
  try {
    if (ONLY !== "production") {
      log("starting the embedded server …");
      modes.push(await open("embedded", { mode: "embedded", dataDir }));
    }
    if (ONLY !== "embedded") {
      log("starting the production server …");
      modes.push(
        await open("production", {
          mode: "production",
          database: { url: database.url, migrateOnStart: true },
          redis: { url: redis.url },
          etcd: { endpoints: [...etcd.endpoints] },
          auth: { jwtSecret: randomBytes(32).toString("base64url") },
        }),
      );
    }
    log("warming up …");
    for (const m of modes) await m.run("warm", Math.min(100, CREATES), 16);
    const results: Record<string, Record<string, Cell>> = { embedded: {}, production: {} };
    for (const callers of CALLERS)
      for (const m of modes) {
        log(`${m.name}: ${CREATES} creates, ${callers} caller(s) …`);
        results[m.name]![`callers${callers}`] = await m.run(`c${callers}`, CREATES, callers);
      }
    const out = {
      createVm: results,
      setup: {
        nodes: NODES,
        createsPerCell: CREATES,
        callers: CALLERS,
        vm: "1 vCPU, 512 MiB, default project",
      },
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version },
      semiSpaceMib: semiSpaceMib() ?? "node default",
      loadAverage: { atStart: loadAtStart, atEnd: loadavg().map((x) => round(x, 2)) },
      goal: "≥ 1,000 creates/s at 64 callers in production, ≥ 400/s embedded, p50 at one caller ≤ 3 ms, server CPU ≤ 1 ms per create",
      reproduce: "pnpm --filter @limiquantix/server bench:create [-- --json]",
    };
    if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      const lines = [
        `CreateVM over gRPC, ${NODES} nodes, ${CREATES} creates per cell, callers in a process of their own`,
        "",
      ];
      lines.push(
        `${"mode".padEnd(12)}${"callers".padStart(8)}${"req/s".padStart(9)}${"p50 ms".padStart(10)}${"p99 ms".padStart(10)}${"server CPU µs".padStart(15)}${"callers CPU µs".padStart(16)}${"db CPU µs".padStart(11)}`,
      );
      for (const m of modes)
        for (const callers of CALLERS) {
          const p = results[m.name]![`callers${callers}`]!;
          lines.push(
            `${m.name.padEnd(12)}${String(callers).padStart(8)}${String(p.rps).padStart(9)}${p.p50Ms.toFixed(2).padStart(10)}${p.p99Ms.toFixed(2).padStart(10)}${p.serverCpuUsPerCreate.toFixed(0).padStart(15)}${p.callersCpuUsPerCreate.toFixed(0).padStart(16)}${(p.databaseCpuUsPerCreate === undefined ? "-" : p.databaseCpuUsPerCreate.toFixed(0)).padStart(11)}`,
          );
        }
      lines.push("", `goal: ${out.goal}`);
      lines.push(
        `server heap: semi-space ${out.semiSpaceMib}${typeof out.semiSpaceMib === "number" ? " MiB" : ""} (LQX_SEMI_SPACE_MIB, as the binary)`,
      );
      lines.push(
        `load average at start ${out.loadAverage.atStart.join(" ")}, at end ${out.loadAverage.atEnd.join(" ")} on ${out.machine.cpus} CPUs (${out.machine.cpuModel}); node ${process.version}`,
      );
      lines.push(`reproduce: ${out.reproduce}`);
      process.stdout.write(`${lines.join("\n")}\n`);
    }
  } finally {
    for (const m of modes) await m.close().catch(() => undefined);
    for (const m of modes) await m.server.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

// The server runs with the heap settings of the limiquantix-server binary (LQX_SEMI_SPACE_MIB, as there).
if (!relaunchWithHeapFlags())
  main().catch((e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
