// The human-readable tables of the cluster benches.
import { fmt, type Spread } from "./cluster-stats";
import type { DrsCellResult } from "./drs-cell";
import type { HaCellResult } from "./ha-cell";

/** HA_GOAL_SEC is the issue's goal: every protected VM of one failed node running elsewhere within 10 s, fencing included. */
export const HA_GOAL_SEC = 10;

const spreadCells = (s: Spread) => `${fmt(s.p50).padStart(8)}${fmt(s.max).padStart(8)}`;

/** haLines is the ha cell's table and notes. */
export function haLines(r: HaCellResult & { seconds: number }): string[] {
  const settings = Object.entries(r.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const head = `${"scenario".padEnd(38)}${"HA VMs".padStart(7)}${"p50 s".padStart(8)}${"max s".padStart(8)}${"twice".padStart(7)}${"unplaced".padStart(9)}`;
  const rows = r.scenarios.map(
    (s) =>
      `${s.scenario.padEnd(38)}${String(s.haVmsAffected).padStart(7)}${spreadCells(s.restartSec)}${String(s.runningTwice).padStart(7)}${String(s.unplaced).padStart(9)}`,
  );
  const phase = `${"where the time went (p50 / max s)".padEnd(38)}${"HB age".padStart(16)}${"detect".padStart(16)}${"fence".padStart(16)}${"place".padStart(16)}${"start".padStart(16)}`;
  const pm = (s: Spread) => ` ${fmt(s.p50)} / ${fmt(s.max)}`.padStart(16);
  const phases = r.scenarios.map(
    (s) =>
      `${s.scenario.padEnd(38)}${pm(s.breakdown.heartbeatAgeAtFailureSec)}${pm(s.breakdown.detectSec)}${pm(s.breakdown.fenceSec)}${pm(s.breakdown.placeSec)}${pm(s.breakdown.startSec)}`,
  );
  const probes = r.scenarios.map((s) => {
    const c = s.controllers;
    const restarts = c.restartingPasses
      .map((p) => `${fmt(p.startSec)}–${fmt(p.endSec)} s: ${p.restarted}`)
      .join(", ");
    return (
      `${s.scenario.split(" (")[0]}: node-health sweeps began at +${c.sweepStartsSec.map((x) => fmt(x, 1)).join(", +")} s (longest ${fmt(c.longestSweepSec)} s` +
      `${c.failedSweeps.length > 0 ? `, ${c.failedSweeps.length} failed: ${c.failedSweeps[0]}` : ""}); ` +
      `${c.haPasses} HA passes (longest ${fmt(c.longestHaPassSec)} s${c.failedHaPasses.length > 0 ? `, ${c.failedHaPasses.length} failed: ${c.failedHaPasses[0]}` : ""}); VMs restarted by passes at ${restarts || "—"}`
    );
  });
  const one = r.scenarios[0];
  const goal =
    one?.restartSec.max === undefined
      ? "not measured"
      : one.restartSec.max <= HA_GOAL_SEC
        ? `met (${fmt(one.restartSec.max)} s ≤ ${HA_GOAL_SEC} s)`
        : `missed (${fmt(one.restartSec.max)} s > ${HA_GOAL_SEC} s)`;
  return [
    `ha: ${r.setup.nodes} simulated nodes, ${r.setup.vms} VMs (${r.setup.vmSize}) of which ${r.setup.haVms} have HA; embedded mode (PGlite), one process`,
    `settings: ${settings}`,
    "",
    head,
    ...rows,
    "",
    phase,
    ...phases,
    "",
    "p50/max: time from the failure to each protected VM RUNNING on another node. twice: VMs seen active on two hosts at once (every host asked every 100 ms; must be 0).",
    "unplaced: protected VMs not running elsewhere at the end (must be 0 while the failure is within admission control's tolerance: " +
      r.scenarios
        .map((s) => `${s.scenario.split(" (")[0]}: ${s.withinAdmissionGuarantee ? "within" : "beyond"}`)
        .join(", ") +
      ").",
    "HB age: the age at the failure of the failed node's last stored heartbeat (lastHeartbeatAt: beats in between go to the liveness record only); detect: failure → NOT_READY; fence: NOT_READY → FAILED (FENCING, BMC off);",
    "place: FAILED → the VM placed on another node; start: placed → RUNNING there (reconciler, simulated boot).",
    ...probes,
    `goal (one failed node, every protected VM running elsewhere within ${HA_GOAL_SEC} s, fencing included): ${goal}`,
    `protected VMs per node before the first failure: ${r.setup.protectedPerNode.min}–${r.setup.protectedPerNode.max}; the nodes holding the most fail; failed nodes stay down`,
    `start-up (server, ${r.setup.nodes} simulated nodes joined and READY) ${r.setup.startupSec} s; seed ${r.setup.seedSec} s; cell ${r.seconds} s`,
    "",
  ];
}

/** drsLines is the drs cell's table and notes. */
export function drsLines(r: DrsCellResult & { seconds: number }): string[] {
  const settings = Object.entries(r.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  return [
    `drs: ${r.setup.nodes} simulated nodes, ${r.setup.vms} VMs (${r.setup.vmSize}) all started on ${r.setup.hotNodes} of them; embedded mode (PGlite), one process`,
    `settings: ${settings}`,
    "",
    `passes until settled            ${r.passesToSettle}`,
    `migrations until settled        ${r.migrationsToSettle}   (fewest that would even out the VM count: ${r.fewestMoves})`,
    `time until settled              ${r.secondsToSettle} s   (in RunNow ${r.timeToSettle.runNowSec} s, migrating ${r.timeToSettle.migrationsSec} s, waiting for fresh loads ${r.timeToSettle.gapSec} s)`,
    `imbalance before → after        ${r.imbalanceBefore.toFixed(4)} → ${r.imbalanceAfter.toFixed(4)}   (after the settle window, loads freshly reported)`,
    `VMs per node before → after     ${r.vmsPerNodeBefore.min}–${r.vmsPerNodeBefore.max} → ${r.vmsPerNodeAfter.min}–${r.vmsPerNodeAfter.max}`,
    `last balancing pass             imbalance ${r.lastPass.before.toFixed(4)}, expected after ${r.lastPass.expectedAfter.toFixed(4)}`,
    `settle window                   ${r.settlePasses} passes a heartbeat round apart: ${r.migrationsInSettleWindow} migrations`,
    `migrations undone               ${r.undoneInSettleWindow} in the settle window (must be 0); ${r.undoneOverall} VMs moved more than once in the whole run`,
    `start-up (server, ${r.setup.nodes} simulated nodes joined and READY) ${r.setup.startupSec} s; seed ${r.setup.seedSec} s; cell ${r.seconds} s`,
    "",
  ];
}
