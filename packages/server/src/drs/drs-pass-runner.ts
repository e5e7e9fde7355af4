import {
  type Cluster,
  type DrsRecommendation,
  type DrsRunStatus,
  ErrorCode,
  hasErrorCode,
} from "@limiquantix/domain";
import {
  appliesAutomatically,
  type BlockedMove,
  type ClusterSnapshot,
  type DrsProposal,
  type DrsResult,
  type MigrationRecord,
  planDrs,
  type Reservation,
  type Scheduler,
} from "@limiquantix/scheduler";
import { systemContext } from "../context/call-context";
import type { ChangeRelay } from "../events/change-relay";
import { allItems } from "../shared/each-item";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";
import { inCluster, migrationsInFlight } from "./cluster-load";
import type { DrsRuntimeSettings } from "./drs-settings";
import type { RecommendationApplier, StartedApply } from "./recommendation-applier";
import { clip, settle } from "./recommendation-state";

const DRS_CONTEXT = systemContext("drs");

/** STALE_APPLY_MS is how long a VM must have been left alone before an APPLYING recommendation no replica follows is settled from where the VM is. */
export const STALE_APPLY_MS = 60_000;

/** DrsPassReport is what one DRS pass over a cluster found and did. */
export interface DrsPassReport {
  readonly clusterId: string;
  /** When the pass started (ISO-8601). */
  readonly ranAt: string;
  readonly imbalanceBefore: number;
  /** The imbalance once every move the pass proposed is made. */
  readonly imbalanceAfter: number;
  /** The recommendations this pass stands behind (kept from an earlier pass or new), in the engine's order. */
  readonly proposed: readonly DrsRecommendation[];
  readonly created: number;
  readonly superseded: number;
  /** Migrations this pass started: its own under full automation, and approved ones. */
  readonly started: readonly StartedApply[];
  /** Recommendations left for later because the migration caps were full. */
  readonly held: number;
  /** VMs that must leave their node but have nowhere to go. */
  readonly blocked: readonly BlockedMove[];
  readonly stoppedBy: DrsResult["stoppedBy"] | "disabled";
}

const OPEN = new Set(["PENDING", "APPROVED", "APPLYING"]);
const MOVABLE = new Set(["RUNNING", "STOPPED"]);

const keyOf = (r: Pick<DrsProposal, "type" | "vmId" | "sourceNodeId" | "targetNodeId">) =>
  `${r.type}|${r.vmId ?? ""}|${r.sourceNodeId ?? ""}|${r.targetNodeId ?? ""}`;

/**
 * DrsPassRunner runs one DRS pass over a cluster: it plans with the scheduler's DRS engine on the
 * live snapshot (in-flight migrations counted as done, VMs moved or rejected within the cooldown
 * and VMs busy elsewhere left alone), keeps the pending recommendations the plan still proposes,
 * supersedes the others, stores the new ones, applies approved ones — and, under full automation,
 * its own — within the migration caps, and records the pass on the cluster's `status.drs`.
 */
export class DrsPassRunner {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly scheduler: Scheduler,
    private readonly snapshot: ClusterSnapshot,
    private readonly relay: Pick<ChangeRelay, "caughtUp">,
    private readonly applier: RecommendationApplier,
    private readonly settings: DrsRuntimeSettings,
  ) {}

  /** run runs a pass over the cluster and records it (or why it failed) on the cluster. */
  async run(clusterId: string): Promise<DrsPassReport> {
    const cluster = await this.deps.repos.clusters.get(clusterId);
    const served = cluster.status?.drs?.runRequests ?? 0;
    const now = this.deps.clock.now();
    const interval = cluster.spec.drs.intervalSec;
    if (!cluster.spec.drs.enabled) {
      await this.record(clusterId, served, now, interval, {
        lastResult: "DRS is disabled on this cluster: nothing done",
      });
      return { ...emptyReport(clusterId, now), stoppedBy: "disabled" };
    }
    try {
      const report = await this.pass(cluster, now);
      await this.record(clusterId, served, now, interval, {
        imbalanceBefore: report.imbalanceBefore,
        imbalanceAfter: report.imbalanceAfter,
        lastResult: clip(summary(report)),
      });
      return report;
    } catch (e) {
      await this.record(clusterId, served, now, interval, {
        lastError: clip(String((e as Error).message ?? e)),
      }).catch((err: unknown) =>
        this.deps.logger.warn({ err, clusterId }, "could not record a failed DRS pass"),
      );
      throw e;
    }
  }

  private async pass(cluster: Cluster, now: Date): Promise<DrsPassReport> {
    const recs = this.deps.repos.drsRecommendations;
    const nowMs = now.getTime();
    await this.relay.caughtUp();
    const all = await allItems(recs, { clusterId: cluster.id });
    const open = all.filter((r) => OPEN.has(r.state));
    const finished = await this.forgetOld(
      all.filter((r) => !OPEN.has(r.state)),
      nowMs,
    );
    await this.settleStaleApplies(
      open.filter((r) => r.state === "APPLYING"),
      nowMs,
    );

    const history = this.cooldownHistory(finished, nowMs);
    const busy = new Set(open.filter((r) => r.state !== "PENDING" && r.vmId).map((r) => r.vmId!));
    const result = this.plan(cluster, history, busy, nowMs);
    const proposals = result.recommendations.filter((p) => p.vmId === undefined || !busy.has(p.vmId));

    const { proposed, created, superseded } = await this.reconcile(
      open.filter((r) => r.state === "PENDING"),
      proposals,
      now,
    );
    const { started, held } = await this.applyDue(
      cluster,
      open.filter((r) => r.state === "APPROVED"),
      proposed,
    );
    return {
      clusterId: cluster.id,
      ranAt: now.toISOString(),
      imbalanceBefore: result.imbalanceBefore,
      imbalanceAfter: result.imbalanceAfter,
      proposed,
      created,
      superseded,
      started,
      held,
      blocked: result.blocked,
      stoppedBy: result.stoppedBy,
    };
  }

  /** plan runs the engine on the snapshot with in-flight migrations counted as done, then leaves the snapshot as it was. */
  private plan(cluster: Cluster, history: MigrationRecord[], busy: Set<string>, nowMs: number): DrsResult {
    const inFlight = migrationsInFlight(this.snapshot, cluster.id);
    for (const id of inFlight.vmIds) busy.add(id);
    for (const vm of this.snapshot.vms()) {
      const node = vm.nodeId === undefined ? undefined : this.snapshot.node(vm.nodeId);
      if (node && inCluster(node, cluster.id) && !MOVABLE.has(vm.vm.status.powerState)) busy.add(vm.id);
    }
    const frozen = [...busy].map((vmId) => ({ vmId, sourceNodeId: "", targetNodeId: "", at: nowMs }));
    const reservations: Reservation[] = [];
    try {
      for (const id of inFlight.vmIds) {
        const vm = this.snapshot.vm(id)?.vm;
        const target = vm?.status.migration?.targetNodeId;
        if (vm && target && this.snapshot.node(target)) reservations.push(this.snapshot.reserve(vm, target));
      }
      return planDrs(this.scheduler, this.snapshot, {
        clusterId: cluster.id,
        settings: cluster.spec.drs,
        history: [...history, ...frozen],
        now: nowMs,
        // Busy VMs are frozen "now": a window of at least 1 ms keeps them frozen with a zero cooldown.
        historyWindowMs: Math.max(1, this.settings.cooldownMs),
        power: { enabled: false },
      });
    } finally {
      for (let i = reservations.length - 1; i >= 0; i--) this.snapshot.revert(reservations[i]!);
    }
  }

  /** cooldownHistory is every DRS move applied, and every move rejected, within the cooldown: those VMs stay put. */
  private cooldownHistory(finished: readonly DrsRecommendation[], nowMs: number): MigrationRecord[] {
    const out: MigrationRecord[] = [];
    for (const r of finished) {
      const at = r.state === "APPLIED" ? r.appliedAt : r.state === "REJECTED" ? r.decidedAt : undefined;
      if (at === undefined || !r.vmId || nowMs - Date.parse(at) >= this.settings.cooldownMs) continue;
      out.push({ vmId: r.vmId, sourceNodeId: r.sourceNodeId ?? "", targetNodeId: r.targetNodeId ?? "", at });
    }
    return out;
  }

  /** reconcile keeps the pending recommendations the plan proposes again, supersedes the rest and stores the new proposals. */
  private async reconcile(
    pending: readonly DrsRecommendation[],
    proposals: readonly DrsProposal[],
    now: Date,
  ): Promise<{ proposed: DrsRecommendation[]; created: number; superseded: number }> {
    const recs = this.deps.repos.drsRecommendations;
    const byKey = new Map(pending.map((r) => [keyOf(r), r]));
    const proposed: DrsRecommendation[] = [];
    let created = 0;
    for (const p of proposals) {
      const existing = byKey.get(keyOf(p));
      if (existing) {
        byKey.delete(keyOf(p));
        proposed.push(await this.refresh(existing, p));
        continue;
      }
      proposed.push(await recs.create({ ...p, id: this.deps.ids.next(), labels: {}, state: "PENDING" }));
      created++;
    }
    let superseded = 0;
    for (const stale of byKey.values()) {
      const done = await settle(recs, stale.id, ["PENDING"], "SUPERSEDED", () => ({
        error: `the pass at ${now.toISOString()} no longer proposes it`,
      }));
      if (done) superseded++;
    }
    return { proposed, created, superseded };
  }

  /** refresh brings a kept recommendation's priority, reason and impact up to date, writing only when they changed. */
  private async refresh(rec: DrsRecommendation, p: DrsProposal): Promise<DrsRecommendation> {
    const same =
      rec.priority === p.priority &&
      rec.reason === p.reason &&
      rec.impact.imbalanceBefore === p.impact.imbalanceBefore &&
      rec.impact.imbalanceAfter === p.impact.imbalanceAfter;
    if (same) return rec;
    try {
      return await this.deps.repos.drsRecommendations.update({
        ...rec,
        priority: p.priority,
        reason: p.reason,
        impact: p.impact,
      });
    } catch (e) {
      // Decided meanwhile: what was decided stands.
      if (!hasErrorCode(e, ErrorCode.Conflict)) throw e;
      return (await this.deps.repos.drsRecommendations.find(rec.id)) ?? rec;
    }
  }

  /**
   * applyDue starts the approved recommendations, then — under full automation — the pass's own in
   * its order, within the caps. The pass's own stop at the first that does not fit: a prefix of a
   * plan is a plan, while a later move without an earlier one may not be.
   */
  private async applyDue(
    cluster: Cluster,
    approved: readonly DrsRecommendation[],
    proposed: readonly DrsRecommendation[],
  ): Promise<{ started: StartedApply[]; held: number }> {
    const started: StartedApply[] = [];
    let held = 0;
    const byDecision = [...approved].sort((a, b) => (a.decidedAt ?? "").localeCompare(b.decidedAt ?? ""));
    for (const rec of byDecision) {
      const attempt = await this.attempt(rec);
      if (attempt === "capped") held++;
      else if (attempt) started.push(attempt);
    }
    if (!appliesAutomatically(cluster.spec.drs.automationLevel, "MIGRATE")) return { started, held };
    const own = proposed.filter((r) => r.type === "MIGRATE");
    for (let i = 0; i < own.length; i++) {
      const attempt = await this.attempt(own[i]!);
      if (attempt === "capped") {
        held += own.length - i;
        break;
      }
      if (attempt) started.push(attempt);
    }
    return { started, held };
  }

  private async attempt(rec: DrsRecommendation): Promise<StartedApply | "capped" | undefined> {
    try {
      const attempt = await this.applier.tryApply(DRS_CONTEXT, rec, "drs");
      if (attempt.kind === "started") return attempt.started;
      if (attempt.kind === "capped") return "capped";
      this.deps.logger.info(
        { recommendation: rec.id, reason: attempt.reason },
        "DRS recommendation not applied",
      );
    } catch (e) {
      // Decided by someone else meanwhile (FailedPrecondition), or the store refused: the next pass sees it.
      this.deps.logger.info({ err: e, recommendation: rec.id }, "DRS recommendation not applied");
    }
    return undefined;
  }

  /** forgetOld deletes finished recommendations older than the retention and returns the rest. */
  private async forgetOld(
    finished: readonly DrsRecommendation[],
    nowMs: number,
  ): Promise<DrsRecommendation[]> {
    const kept: DrsRecommendation[] = [];
    for (const r of finished) {
      if (nowMs - Date.parse(r.updatedAt) <= this.settings.retentionMs) {
        kept.push(r);
        continue;
      }
      await this.deps.repos.drsRecommendations.delete(r.id, r.resourceVersion).catch((e: unknown) => {
        if (!hasErrorCode(e, ErrorCode.NotFound) && !hasErrorCode(e, ErrorCode.Conflict)) throw e;
      });
    }
    return kept;
  }

  /**
   * settleStaleApplies records the outcome of APPLYING recommendations nobody follows any more (the
   * replica that applied them stopped): once their VM has been left alone for a while, the VM on
   * the target means applied, anywhere else failed.
   */
  private async settleStaleApplies(applying: readonly DrsRecommendation[], nowMs: number): Promise<void> {
    for (const rec of applying) {
      if (this.applier.follows(rec.id) || !rec.vmId) continue;
      const vm = await this.deps.repos.vms.find(rec.vmId);
      if (vm?.status.migration || (vm && nowMs - Date.parse(vm.updatedAt) < STALE_APPLY_MS)) continue;
      const arrived = vm?.status.nodeId === rec.targetNodeId;
      await settle(
        this.deps.repos.drsRecommendations,
        rec.id,
        ["APPLYING"],
        arrived ? "APPLIED" : "FAILED",
        () =>
          arrived
            ? { appliedAt: new Date(nowMs).toISOString() }
            : {
                error:
                  "the migration ended without its outcome being recorded, and the VM is not on the target node",
              },
      );
    }
  }

  /** record writes the pass onto the cluster's status.drs, keeping the run requests made meanwhile. */
  private async record(
    clusterId: string,
    served: number,
    ranAt: Date,
    intervalSec: number,
    fields: Partial<DrsRunStatus>,
  ): Promise<void> {
    try {
      await readModifyWrite(this.deps.repos.clusters, clusterId, (c) => {
        const { lastError: _e, lastResult: _r, ...prev } = c.status?.drs ?? { runRequests: 0, runsServed: 0 };
        const drs: DrsRunStatus = {
          ...prev,
          runsServed: Math.max(prev.runsServed, served),
          lastRunAt: ranAt.toISOString(),
          nextRunAt: new Date(ranAt.getTime() + intervalSec * 1000).toISOString(),
          ...fields,
        };
        return { ...c, status: { ...c.status, drs } };
      });
    } catch (e) {
      if (!hasErrorCode(e, ErrorCode.NotFound)) throw e;
    }
  }
}

function emptyReport(clusterId: string, now: Date): DrsPassReport {
  return {
    clusterId,
    ranAt: now.toISOString(),
    imbalanceBefore: 0,
    imbalanceAfter: 0,
    proposed: [],
    created: 0,
    superseded: 0,
    started: [],
    held: 0,
    blocked: [],
    stoppedBy: "disabled",
  };
}

/** summary says what a pass did, in a sentence, for GetStatus. */
export function summary(r: DrsPassReport): string {
  const parts = [
    `${r.proposed.length} recommendation(s) (${r.created} new), ${r.superseded} superseded`,
    `${r.started.length} migration(s) started`,
  ];
  if (r.held > 0) parts.push(`${r.held} waiting for a migration slot`);
  if (r.blocked.length > 0) parts.push(`${r.blocked.length} VM(s) that must move have nowhere to go`);
  return `${parts.join("; ")}; balancing stopped: ${r.stoppedBy}`;
}
