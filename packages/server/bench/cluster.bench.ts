// Cluster behaviour of the control plane over simulated nodes, in embedded mode (PGlite in a
// temporary directory, everything in this process): the `ha` cell (fail nodes, measure how soon
// their protected VMs run elsewhere, and that none ever runs twice) and the `drs` cell (balance a
// skewed cluster in full automation, count passes, migrations, and moves later undone). Prints a
// table per cell, or with --json one object. `--only ha` or `--only drs` runs one cell.
//
// Shape from the environment: LQX_BENCH_HA_NODES (50), LQX_BENCH_HA_VMS (1,000),
// LQX_BENCH_HA_PROTECTED (300), LQX_BENCH_HA_TIMEOUT_SEC (240 per scenario), LQX_BENCH_HA_SETTINGS
// (server settings as JSON on top of the defaults, e.g. '{"ha":{"checkIntervalSec":1}}'; none unless
// set); LQX_BENCH_DRS_NODES (50), LQX_BENCH_DRS_VMS (300), LQX_BENCH_DRS_HOT_NODES (10),
// LQX_BENCH_DRS_SETTLE_PASSES (3), LQX_BENCH_DRS_PASS_GAP (heartbeat: the next pass once every node
// the last migrations touched has reported its load since; none: at once), LQX_BENCH_DRS_SETTINGS,
// LQX_BENCH_DRS_TRACE=1 (each pass on stderr). LQX_BENCH_LOG_LEVEL=warn shows the server's log on
// stderr.
import { performance } from "node:perf_hooks";
import type { ConfigInput } from "../src/config/schema";
import { gitCommit, LoadSampler, loadNow, machine } from "./cluster-stats";
import { drsLines, haLines } from "./cluster-report";
import { type DrsCellResult, runDrsCell } from "./drs-cell";
import { type HaCellResult, runHaCell } from "./ha-cell";
import { goawayRacesSwallowed } from "./sim-cluster";

const CELLS = ["ha", "drs"] as const;
type Cell = (typeof CELLS)[number];

const json = process.argv.includes("--json");
const only = (() => {
  const i = process.argv.indexOf("--only");
  if (i < 0) return [...CELLS];
  const names = (process.argv[i + 1] ?? "").split(",").map((s) => s.trim());
  for (const n of names)
    if (!CELLS.includes(n as Cell)) throw new Error(`--only takes ${CELLS.join(", ")} (got "${n}")`);
  return names as Cell[];
})();
const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
};
const envSettings = (name: string): ConfigInput => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return {};
  return JSON.parse(raw) as ConfigInput;
};
const passGap = (): "heartbeat" | "none" => {
  const raw = process.env.LQX_BENCH_DRS_PASS_GAP || "heartbeat";
  if (raw !== "heartbeat" && raw !== "none")
    throw new Error(`LQX_BENCH_DRS_PASS_GAP is heartbeat or none (got ${raw})`);
  return raw;
};
const log = (m: string) => {
  if (!json) process.stderr.write(`${m}\n`);
};

async function main(): Promise<void> {
  const loadAtStart = loadNow();
  const sampler = new LoadSampler();
  const started = performance.now();
  const result: {
    ha?: HaCellResult & { seconds: number };
    drs?: DrsCellResult & { seconds: number };
  } = {};
  if (only.includes("ha")) {
    const t = performance.now();
    const ha = await runHaCell({
      nodes: envInt("LQX_BENCH_HA_NODES", 50),
      vms: envInt("LQX_BENCH_HA_VMS", 1_000),
      haVms: envInt("LQX_BENCH_HA_PROTECTED", 300),
      vcpus: 2,
      memoryMib: 2048,
      overrides: envSettings("LQX_BENCH_HA_SETTINGS"),
      timeoutSec: envInt("LQX_BENCH_HA_TIMEOUT_SEC", 240),
      log,
    });
    result.ha = { ...ha, seconds: Math.round((performance.now() - t) / 100) / 10 };
  }
  if (only.includes("drs")) {
    const t = performance.now();
    const drs = await runDrsCell({
      nodes: envInt("LQX_BENCH_DRS_NODES", 50),
      vms: envInt("LQX_BENCH_DRS_VMS", 300),
      hotNodes: envInt("LQX_BENCH_DRS_HOT_NODES", 10),
      vcpus: 1,
      memoryMib: 2048,
      settlePasses: envInt("LQX_BENCH_DRS_SETTLE_PASSES", 3),
      passGap: passGap(),
      overrides: envSettings("LQX_BENCH_DRS_SETTINGS"),
      log,
    });
    result.drs = { ...drs, seconds: Math.round((performance.now() - t) / 100) / 10 };
  }
  const during = sampler.stop();
  const loadAfter = loadNow();
  const reproduce = {
    command: `npx -y pnpm@10 --filter @limiquantix/server bench:cluster -- --only ${only.join(",")}${json ? " --json" : ""}`,
    commit: gitCommit(),
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("LQX_BENCH_"))),
  };
  const out = {
    ...result,
    machine: { ...machine(), loadAvg: { atStart: loadAtStart, atEnd: loadAfter, during } },
    seconds: Math.round((performance.now() - started) / 100) / 10,
    /** Uncaught "received GOAWAY without any open streams" errors of the agent pool the bench survived (connect-es issue 1768). */
    goawayRacesSwallowed: goawayRacesSwallowed(),
    reproduce,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    const lines = [
      ...(out.ha ? haLines(out.ha) : []),
      ...(out.drs ? drsLines(out.drs) : []),
      `load average (1/5/15 min): at start ${loadAtStart.join(" ")}, at end ${loadAfter.join(" ")}; ` +
        `1-min mean ${during.min1Mean}, max ${during.min1Max} on ${out.machine.cpus} CPUs (${out.machine.cpuModel})`,
      `ran ${out.seconds} s; node ${process.version}, commit ${reproduce.commit}`,
      ...(out.goawayRacesSwallowed.running + out.goawayRacesSwallowed.stopping > 0
        ? [
            `note: uncaught "received GOAWAY without any open streams" errors from the agent pool's HTTP/2 sessions caught by the bench (connect-es issue 1768): ` +
              `${out.goawayRacesSwallowed.running} while the cells ran, ${out.goawayRacesSwallowed.stopping} while their servers stopped; each would have ended a server process`,
          ]
        : []),
      `reproduce: ${reproduce.command}${
        Object.keys(reproduce.env).length > 0
          ? ` with ${Object.entries(reproduce.env)
              .map(([k, v]) => `${k}='${v}'`)
              .join(" ")}`
          : ""
      }`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
