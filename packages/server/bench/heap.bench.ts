// GetVM and CreateVM over gRPC against servers that differ only in V8's young-generation size
// (--max-semi-space-size), to choose the one the binary starts with. Each size runs in a server
// process of its own (heap-server.ts, dev mode, so the call path and not a database is measured);
// the callers run here. Rounds alternate between the sizes so drifting load weighs on all alike,
// and each server's CPU time is read from /proc around each round: the figure is CPU per call.
// Prints a table, or with --json one object.
//
// LQX_BENCH_SIZES (MiB, comma-separated; "default" for no flag; default "default,1,16,32,64"),
// LQX_BENCH_ROUNDS (default 6), LQX_BENCH_GETS (per round, default 4000), LQX_BENCH_CREATES (per
// round, default 300), LQX_BENCH_CONCURRENCY (default 64).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";
import { loginAs, withBearer } from "../src/testing/signed-in";

const json = process.argv.includes("--json");
const env = (name: string, fallback: string) => process.env[name] || fallback;
const SIZES = env("LQX_BENCH_SIZES", "default,1,16,32,64").split(",");
const ROUNDS = Number(env("LQX_BENCH_ROUNDS", "6"));
const GETS = Number(env("LQX_BENCH_GETS", "4000"));
const CREATES = Number(env("LQX_BENCH_CREATES", "300"));
const CONCURRENCY = Number(env("LQX_BENCH_CONCURRENCY", "64"));
const PASSWORD = "bench-password-of-the-first-user";
const TICK_US = 1e6 / 100; // USER_HZ
const log = (m: string) => {
  if (!json) process.stderr.write(`${m}\n`);
};

/** cpuUs is a process's user + system CPU time so far, in microseconds. */
function cpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

function rssMib(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

interface Server {
  readonly size: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly newSpaceMib: number;
  vms: Client<typeof compute.VMService>;
  vmIds: string[];
}

async function startOne(size: string): Promise<Server> {
  const flags = size === "default" ? [] : [`--max-semi-space-size=${size}`];
  const child = spawn(
    process.execPath,
    [
      ...flags,
      "--import",
      "tsx",
      "--conditions=limiquantix-source",
      fileURLToPath(new URL("./heap-server.ts", import.meta.url)),
    ],
    {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, LQX_BOOTSTRAP_ADMIN_PASSWORD: PASSWORD },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the ${size} server exited (${code})`)));
  });
  const { url, newSpaceMib } = JSON.parse(line) as { url: string; newSpaceMib: number };
  const token = await loginAs(url, "admin", PASSWORD);
  const transport = createGrpcTransport({ baseUrl: url, interceptors: [withBearer(token)] });
  const nodes = createClient(compute.NodeService, transport);
  await nodes.registerNode({
    name: "n1",
    spec: {
      hostname: "n1.lab",
      managementIp: "10.0.0.1",
      agentAddress: "127.0.0.1:1",
      cpu: { sockets: 8, coresPerSocket: 64, threadsPerCore: 2 },
      memoryMib: 64n * 1024n * 1024n,
    },
  });
  return { size, child, url, newSpaceMib, vms: createClient(compute.VMService, transport), vmIds: [] };
}

async function drive(total: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, total) }, async () => {
      for (let i = next++; i < total; i = next++) await op(i);
    }),
  );
  return performance.now() - started;
}

/** Cell is one call measured on one server over every round. */
interface Cell {
  calls: number;
  wallMs: number;
  cpuUs: number;
}

async function main(): Promise<void> {
  log(`starting ${SIZES.length} servers (semi-space ${SIZES.join(", ")} MiB) …`);
  const servers = await Promise.all(SIZES.map(startOne));
  try {
    let created = 0;
    const create = (s: Server) =>
      s.vms
        .createVM({ projectId: "default", name: `vm-${created++}`, spec: { vcpus: 1, memoryMib: 512n } })
        .then((r) => s.vmIds.push(r.vm!.id));
    log("creating 1,000 VMs on each and warming up …");
    for (const s of servers) {
      await drive(1000, () => create(s));
      await drive(GETS, (i) => s.vms.getVM({ id: s.vmIds[i % s.vmIds.length]! }));
    }
    const cells = new Map<string, Cell>();
    const add = (key: string, calls: number, wallMs: number, cpu: number) => {
      const c = cells.get(key) ?? { calls: 0, wallMs: 0, cpuUs: 0 };
      cells.set(key, { calls: c.calls + calls, wallMs: c.wallMs + wallMs, cpuUs: c.cpuUs + cpu });
    };
    for (let r = 0; r < ROUNDS; r++) {
      // Each round visits the sizes in a different order.
      const order = servers.map((_, i) => servers[(i + r) % servers.length]!);
      for (const s of order) {
        const pid = s.child.pid!;
        let cpu0 = cpuUs(pid);
        let ms = await drive(GETS, (i) => s.vms.getVM({ id: s.vmIds[(i * 7919) % s.vmIds.length]! }));
        add(`${s.size}\tGetVM`, GETS, ms, cpuUs(pid) - cpu0);
        cpu0 = cpuUs(pid);
        ms = await drive(CREATES, () => create(s));
        add(`${s.size}\tCreateVM`, CREATES, ms, cpuUs(pid) - cpu0);
      }
      log(`round ${r + 1}/${ROUNDS} done`);
    }
    const rows = [...cells].map(([key, c]) => {
      const [size, call] = key.split("\t") as [string, string];
      const server = servers.find((s) => s.size === size)!;
      return {
        semiSpaceMib: size,
        newSpaceMibAtStart: server.newSpaceMib,
        call,
        calls: c.calls,
        rps: Math.round((c.calls / c.wallMs) * 1000),
        serverCpuUsPerCall: Math.round(c.cpuUs / c.calls),
        rssMib: rssMib(server.child.pid!),
      };
    });
    const result = {
      rows,
      setup: {
        rounds: ROUNDS,
        getsPerRound: GETS,
        createsPerRound: CREATES,
        concurrency: CONCURRENCY,
        mode: "dev (in memory)",
        transport: "gRPC h2c, one HTTP/2 session per server",
      },
      machine: {
        node: process.version,
        cpus: cpus().length,
        loadAvg: loadavg().map((x) => Math.round(x * 100) / 100),
      },
      reproduce: "pnpm --filter @limiquantix/server bench:heap [-- --json]",
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      const lines = [
        `LimiQuantix server young-generation size: ${ROUNDS} alternating rounds of ${GETS} GetVM and ${CREATES} CreateVM per server, ${CONCURRENCY} callers, node ${process.version}, ${cpus().length} CPUs`,
        "",
        `${"semi-space".padEnd(12)}${"call".padEnd(10)}${"calls".padStart(8)}${"req/s".padStart(8)}${"server CPU µs/call".padStart(20)}${"RSS MiB".padStart(9)}`,
        ...rows.map(
          (r) =>
            `${r.semiSpaceMib.padEnd(12)}${r.call.padEnd(10)}${String(r.calls).padStart(8)}${String(r.rps).padStart(8)}${String(r.serverCpuUsPerCall).padStart(20)}${String(r.rssMib).padStart(9)}`,
        ),
        "",
        `load average ${result.machine.loadAvg.join(" ")}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    }
  } finally {
    for (const s of servers) s.child.stdin?.end();
  }
  setTimeout(() => process.exit(0), 2000).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
