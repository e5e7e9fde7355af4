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
  type DrsResult,
  type Scheduler,
} from "@limiquantix/scheduler";
import { systemContext } from "../context/call-context";
import type { ChangeRelay } from "../events/change-relay";
import { allItems } from "../shared/each-item";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";
import { cooldownHistory, planPass } from "./pass-plan";
import { syncRecommendations } from "./recommendation-sync";
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

    const { result, proposals } = planPass(this.scheduler, this.snapshot, cluster, {
      history: cooldownHistory(finished, nowMs, this.settings.cooldownMs),
      decided: open.filter((r) => r.state !== "PENDING"),
      nowMs,
      cooldownMs: this.settings.cooldownMs,
    });
    const { proposed, created, superseded } = await syncRecommendations(
      this.deps,
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
