// The watch bench's results and how they are printed for people: one table row per configuration,
// then a few lines of detail each.
import type { LatencySummary } from "./latency-histogram";
import type { ReplicaPhase } from "./replica-process";
import type { WriteRun } from "./watch-writer";
import type { FloorFigures } from "./watch-floor";

/** ReplicaFigures are one replica's figures in one configuration. */
export interface ReplicaFigures {
  readonly name: string;
  readonly watchers: number;
  readonly rssMiB: { readonly before: number; readonly watching: number; readonly after: number };
  readonly heapUsedMiB: { readonly before: number; readonly watching: number; readonly after: number };
  readonly heapTotalMiB: { readonly before: number; readonly watching: number; readonly after: number };
  readonly externalMiB: { readonly before: number; readonly watching: number; readonly after: number };
  /** (RSS with the watchers open, before writing − RSS before) ÷ watchers; and the same after the writes. */
  readonly rssPerWatcherKiB: { readonly open: number; readonly afterWrites: number };
  readonly delivery: LatencySummary;
  readonly whileWriting: ReplicaPhase;
  /** The replica's CPU time while writing over the measured events it delivered, in µs (all its work, writes included). */
  readonly cpuMicrosPerEvent: number;
}

/** Configuration is the result of one configuration: watchers over replicas under one writer. */
export interface Configuration {
  readonly name: string;
  readonly watchers: number;
  readonly replicas: number;
  readonly writes: Omit<WriteRun, "acks"> & { readonly targetPerSec: number };
  readonly delivery: LatencySummary & {
    readonly goalP99Ms: number | undefined;
    readonly goalMet: boolean | undefined;
  };
  readonly events: {
    readonly expected: number;
    readonly received: number;
    readonly dropped: number;
    readonly duplicates: number;
    readonly watchersCutOff: number;
    readonly cutOffBy: Record<string, number>;
  };
  readonly openSeconds: number;
  /** Seconds after the last write's answer until every watcher had every write; undefined if that never happened within LQX_BENCH_DRAIN_SEC. */
  readonly drainSeconds: number | undefined;
  readonly perReplica: readonly ReplicaFigures[];
  readonly benchProcess: {
    readonly cpuSeconds: number;
    readonly cpuMicrosPerEvent: number;
    readonly loopDelayP99Ms: number;
    readonly loopDelayMaxMs: number;
  };
  readonly loadAvg: {
    readonly beforeWriting: readonly number[];
    readonly afterWriting: readonly number[];
    readonly whileWriting: { readonly min1Max: number; readonly min1Mean: number };
  };
}

/** table is one row per configuration under a header. */
export function table(configs: readonly Configuration[]): string[] {
  const cols: [string, number][] = [
    ["config", 12],
    ["watchers", 9],
    ["writes/s", 10],
    ["p50 ms", 9],
    ["p99 ms", 9],
    ["max ms", 9],
    ["goal p99", 14],
    ["received/expected", 22],
    ["dropped", 9],
    ["cut off", 8],
    ["RSS MiB before→after", 26],
    ["KiB/watcher", 12],
  ];
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]![1]) : c.padStart(cols[i]![1]))).join("");
  const rows = configs.map((c) =>
    line([
      c.name,
      String(c.watchers),
      String(c.writes.achievedPerSec),
      c.delivery.p50Ms.toFixed(1),
      c.delivery.p99Ms.toFixed(1),
      c.delivery.maxMs.toFixed(1),
      c.delivery.goalP99Ms === undefined
        ? "-"
        : `< ${c.delivery.goalP99Ms} ${c.delivery.goalMet ? "met" : "MISSED"}`,
      `${c.events.received}/${c.events.expected}`,
      String(c.events.dropped),
      String(c.events.watchersCutOff),
      c.perReplica
        .map((r) => `${r.name} ${Math.round(r.rssMiB.before)}→${Math.round(r.rssMiB.after)}`)
        .join(", "),
      c.perReplica.map((r) => Math.round(r.rssPerWatcherKiB.afterWrites)).join(", "),
    ]),
  );
  return [line(cols.map(([h]) => h)), ...rows];
}

/** details are the lines under the table for one configuration; drainSec is LQX_BENCH_DRAIN_SEC. */
export function details(c: Configuration, drainSec: number): string[] {
  const s = (l: LatencySummary) => `p50 ${l.p50Ms} / p99 ${l.p99Ms} / max ${l.maxMs} ms`;
  const w = c.writes;
  return [
    `${c.name}: opened ${c.watchers} watchers in ${c.openSeconds} s; ${w.acked} of ${w.planned} writes acknowledged in ${w.seconds} s (${w.failed} failed${
      w.failed ? ` ${JSON.stringify(w.errors)}` : ""
    }, ${w.notSent} not sent: time was up), UpdateVM ${s(w.latency)}; ` +
      (c.drainSeconds === undefined
        ? `NOT every watcher had every write ${drainSec} s after the last one`
        : `every watcher had every write ${c.drainSeconds} s after the last answer`),
    ...c.perReplica.map(
      (r) =>
        `  replica ${r.name} (${r.watchers} watchers): delivery ${s(r.delivery)}; relay lag ${s(r.whileWriting.relayLag)}; ` +
        `CPU ${r.whileWriting.cpuSeconds} s in ${r.whileWriting.seconds} s (${r.cpuMicrosPerEvent} µs per delivered event); event-loop delay p99 ${r.whileWriting.loopDelay.p99Ms} / max ${r.whileWriting.loopDelay.maxMs} ms; ` +
        `RSS ${r.rssMiB.before} → ${r.rssMiB.watching} (watchers open) → ${r.rssMiB.after} MiB (after writes), ${r.rssPerWatcherKiB.open} / ${r.rssPerWatcherKiB.afterWrites} KiB per watcher; heap used ${r.heapUsedMiB.before} → ${r.heapUsedMiB.watching} → ${r.heapUsedMiB.after} MiB (of ${r.heapTotalMiB.after}), external ${r.externalMiB.after} MiB`,
    ),
    `  bench process (watchers and writer): CPU ${c.benchProcess.cpuSeconds} s (${c.benchProcess.cpuMicrosPerEvent} µs per received event); event-loop delay p99 ${c.benchProcess.loopDelayP99Ms} / max ${c.benchProcess.loopDelayMaxMs} ms` +
      (c.events.watchersCutOff ? `; cut off: ${JSON.stringify(c.events.cutOffBy)}` : "") +
      (c.events.duplicates ? `; ${c.events.duplicates} duplicate deliveries` : ""),
    `  load average (1/5/15 min): before writing ${c.loadAvg.beforeWriting.join(" ")}, after ${c.loadAvg.afterWriting.join(" ")}; 1-min max while writing ${c.loadAvg.whileWriting.min1Max}`,
  ];
}

const FLOOR_NAMES: Record<FloorFigures["framework"], string> = {
  connect: "floor: connect-node server, Connect client",
  http2: "floor: node:http2 server, raw HTTP/2 client",
};

/**
 * floorTable prints the floors: the same watchers and writes served by a server that only
 * streams. A replica cannot deliver faster than its framework's floor on the same machine.
 */
export function floorTable(floors: readonly FloorFigures[], drainSec: number): string[] {
  const cols: [string, number][] = [
    ["floor (no control plane)", 46],
    ["events/s", 10],
    ["p50 ms", 9],
    ["p99 ms", 9],
    ["received/expected", 22],
    ["server µs/event", 17],
    ["bench µs/event", 16],
  ];
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]![1]) : c.padStart(cols[i]![1]))).join("");
  return [
    line(cols.map(([h]) => h)),
    ...floors.map((f) =>
      line([
        FLOOR_NAMES[f.framework],
        String(f.eventsPerSec),
        f.delivery.p50Ms.toFixed(1),
        f.delivery.p99Ms.toFixed(1),
        `${f.received}/${f.expected}${f.drainSeconds === undefined ? ` (not all within ${drainSec} s)` : ""}`,
        f.serverCpuMicrosPerEvent.toFixed(1),
        f.benchCpuMicrosPerEvent.toFixed(1),
      ]),
    ),
    "events/s: received over the time from the first measured write to the last receipt; µs/event: CPU",
    "time of the floor server's process, and of the bench process (its watchers), per received event",
  ];
}
