// Times the leader's node-health sweeps and HA passes of a server running in this process, by
// wrapping the two controllers' methods, so the ha cell can say where the time between a failure
// and its detection, fencing and failover went. It changes nothing they do.
import { performance } from "node:perf_hooks";
import { COMPUTE } from "../src/compute/compute-ids";
import type { NodeHealthController } from "../src/controllers/node-health";
import type { HaController } from "../src/ha/ha-controller";
import { HA } from "../src/ha/ha-ids";
import type { RunningServer } from "../src/runtime/server";

/** ProbeRun is one timed run of a controller: when it started and ended (performance.now() ms), what it did, or why it failed. */
export interface ProbeRun {
  readonly start: number;
  readonly end: number;
  /** Nodes a sweep marked NOT_READY, or nodes an HA pass fenced. */
  readonly nodes: number;
  /** VMs an HA pass restarted elsewhere. */
  readonly restarted: number;
  readonly error?: string;
}

/** ControllerProbe records every node-health sweep and HA pass the server runs from now on. */
export class ControllerProbe {
  readonly sweeps: ProbeRun[] = [];
  readonly haPasses: ProbeRun[] = [];

  constructor(server: RunningServer) {
    const health = server.container.get<NodeHealthController>(COMPUTE.nodeHealth);
    const sweep = health.sweep.bind(health);
    health.sweep = async () => {
      const start = performance.now();
      try {
        const marked = await sweep();
        this.sweeps.push({ start, end: performance.now(), nodes: marked, restarted: 0 });
        return marked;
      } catch (e) {
        this.sweeps.push({ start, end: performance.now(), nodes: 0, restarted: 0, error: String(e) });
        throw e;
      }
    };
    const ha = server.container.get<HaController>(HA.controller);
    const pass = ha.pass.bind(ha);
    ha.pass = async () => {
      const start = performance.now();
      try {
        const report = await pass();
        this.haPasses.push({
          start,
          end: performance.now(),
          nodes: report.fenced.length,
          restarted: report.failover.restarted.length,
        });
        return report;
      } catch (e) {
        this.haPasses.push({ start, end: performance.now(), nodes: 0, restarted: 0, error: String(e) });
        throw e;
      }
    };
  }
}

/** ProbeSummary is what the controllers did between a failure and the end of its scenario (seconds from the failure). */
export interface ProbeSummary {
  /** Sweeps that started in the window, when each started, how long the longest took, and any that failed. */
  readonly sweepStartsSec: readonly number[];
  readonly longestSweepSec: number | undefined;
  readonly failedSweeps: readonly string[];
  readonly haPasses: number;
  readonly longestHaPassSec: number | undefined;
  /** HA passes that restarted VMs: when each started and ended, and how many it moved. */
  readonly restartingPasses: readonly { startSec: number; endSec: number; restarted: number }[];
  readonly failedHaPasses: readonly string[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** summarise reports the runs that started between `from` and `to` (performance.now() ms), timed from `from`. */
export function summarise(probe: ControllerProbe, from: number, to: number): ProbeSummary {
  const within = (r: ProbeRun) => r.start >= from && r.start <= to;
  const sweeps = probe.sweeps.filter(within);
  const passes = probe.haPasses.filter(within);
  const longest = (rs: readonly ProbeRun[]) =>
    rs.length === 0 ? undefined : r2(Math.max(...rs.map((r) => (r.end - r.start) / 1000)));
  return {
    sweepStartsSec: sweeps.map((s) => r2((s.start - from) / 1000)),
    longestSweepSec: longest(sweeps),
    failedSweeps: sweeps.flatMap((s) => (s.error ? [s.error] : [])),
    haPasses: passes.length,
    longestHaPassSec: longest(passes),
    restartingPasses: passes
      .filter((p) => p.restarted > 0)
      .map((p) => ({
        startSec: r2((p.start - from) / 1000),
        endSec: r2((p.end - from) / 1000),
        restarted: p.restarted,
      })),
    failedHaPasses: passes.flatMap((p) => (p.error ? [p.error] : [])),
  };
}
