import {
  type Cluster,
  type Coordinator,
  type DrsRecommendation,
  type ListFilter,
  type Page,
  type PageRequest,
  type RecommendationState,
  failedPrecondition,
  unavailable,
} from "@limiquantix/domain";
import type { ClusterSnapshot } from "@limiquantix/scheduler";
import type { CallContext } from "../context/call-context";
import { CONTROLLERS_ELECTION } from "../controllers/controller-runner";
import type { ChangeRelay } from "../events/change-relay";
import { allItems } from "../shared/each-item";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";
import { currentImbalance, migrationsInFlight } from "./cluster-load";
import type { DrsRuntimeSettings } from "./drs-settings";
import type { RecommendationApplier } from "./recommendation-applier";
import { clip, moveTo } from "./recommendation-state";

/** DrsStatusView is the state of DRS on one cluster, as GetStatus answers it. */
export interface DrsStatusView {
  readonly clusterId: string;
  readonly enabled: boolean;
  /** The imbalance as the cluster stands now. */
  readonly imbalance: number;
  readonly lastRunAt?: string;
  readonly nextRunAt?: string;
  readonly imbalanceBefore?: number;
  readonly imbalanceAfter?: number;
  readonly lastResult?: string;
  readonly lastError?: string;
  readonly pending: number;
  readonly approved: number;
  readonly applying: number;
  readonly migrationsInFlight: number;
  readonly runRequestedAt?: string;
  /** A pass was asked for and the leader has not run it yet. */
  readonly runPending: boolean;
}

/** RunNowResult is what a pass asked for with RunNow left open, and the status after it. */
export interface RunNowResult {
  /** The cluster's open recommendations after the pass: pending, approved and applying. */
  readonly recommendations: readonly DrsRecommendation[];
  readonly status: DrsStatusView;
}

const OPEN_STATES: readonly RecommendationState[] = ["PENDING", "APPROVED", "APPLYING"];

/**
 * DrsService is what DRSService calls do: list recommendations, decide on them (approve, reject),
 * apply one now through the migration service, report a cluster's DRS status, and ask the leader
 * for a pass now. Any replica serves every call: RunNow records the request on the cluster, and
 * the leader's DRS controller, which follows the change log, runs the pass.
 */
export class DrsService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly snapshot: ClusterSnapshot,
    private readonly relay: Pick<ChangeRelay, "subscribe" | "caughtUp">,
    private readonly applier: RecommendationApplier,
    private readonly settings: DrsRuntimeSettings,
    private readonly coordinator?: Pick<Coordinator, "leader">,
  ) {}

  /** list returns one page of recommendations, by cluster, state and labels. */
  async list(
    _ctx: CallContext,
    filter: ListFilter<RecommendationState>,
    page?: PageRequest,
  ): Promise<Page<DrsRecommendation>> {
    if (filter.clusterId) await this.deps.repos.clusters.get(filter.clusterId);
    return this.deps.repos.drsRecommendations.list(filter, page);
  }

  /** approve marks a pending recommendation approved: the leader applies it at its next pass, or apply does now. */
  approve(ctx: CallContext, id: string, expectedVersion?: number): Promise<DrsRecommendation> {
    return readModifyWrite(
      this.deps.repos.drsRecommendations,
      id,
      (rec) => moveTo(rec, "APPROVED", this.decision(ctx)),
      expectedVersion,
    );
  }

  /** reject marks a pending or approved recommendation rejected; its VM is then not proposed for balance within the cooldown. */
  reject(ctx: CallContext, id: string, reason: string, expectedVersion?: number): Promise<DrsRecommendation> {
    return readModifyWrite(
      this.deps.repos.drsRecommendations,
      id,
      (rec) =>
        moveTo(rec, "REJECTED", {
          ...this.decision(ctx),
          ...(reason ? { error: clip(`rejected: ${reason}`) } : {}),
        }),
      expectedVersion,
    );
  }

  /**
   * apply starts a pending or approved recommendation's migration now and answers with the
   * recommendation APPLYING; the VM's `status.migration` shows the move's progress and the
   * recommendation becomes APPLIED, or FAILED with the migration's error, when it ends.
   */
  async apply(ctx: CallContext, id: string, expectedVersion?: number): Promise<DrsRecommendation> {
    const started = await this.applier.apply(ctx, id, ctx.principal.name, expectedVersion);
    return started.recommendation;
  }

  /** status reports DRS on a cluster: its last pass, the next, the open recommendations and the imbalance now. */
  async status(_ctx: CallContext, clusterId: string): Promise<DrsStatusView> {
    const cluster = await this.deps.repos.clusters.get(clusterId);
    return this.statusOf(cluster);
  }

  /**
   * runNow asks the leader for a pass over the cluster and waits for it: the request is recorded on
   * the cluster (whichever replica serves the call) and the leader's DRS controller, following the
   * change log, runs the pass. Without a pass within the call's deadline (at most 30 s) it answers
   * Unavailable naming the leader; the request stands and the leader serves it when it can.
   */
  async runNow(ctx: CallContext, clusterId: string): Promise<RunNowResult> {
    const current = await this.deps.repos.clusters.get(clusterId);
    if (!current.spec.drs.enabled)
      throw failedPrecondition(
        `DRS is disabled on cluster "${current.name}"; enable it (UpdateCluster spec.drs.enabled) to run a pass`,
        { resource: { kind: "Cluster", id: clusterId, name: current.name } },
      );
    const passed = this.waitFor(ctx, clusterId);
    let ticket = 0;
    try {
      const asked = await readModifyWrite(this.deps.repos.clusters, clusterId, (c) => {
        const drs = c.status?.drs ?? { runRequests: 0, runsServed: 0 };
        const runRequestedAt = this.deps.clock.now().toISOString();
        return {
          ...c,
          status: { ...c.status, drs: { ...drs, runRequests: drs.runRequests + 1, runRequestedAt } },
        };
      });
      ticket = asked.status?.drs?.runRequests ?? 0;
      passed.ticket(ticket);
      const after = await passed.done;
      if (after.status?.drs?.lastError)
        throw unavailable(`the DRS pass over cluster "${after.name}" failed: ${after.status.drs.lastError}`, {
          resource: { kind: "Cluster", id: clusterId, name: after.name },
        });
      const recommendations = await allItems(this.deps.repos.drsRecommendations, {
        clusterId,
        states: OPEN_STATES,
      });
      return { recommendations, status: await this.statusOf(after) };
    } catch (e) {
      passed.cancel();
      if (e !== TIMED_OUT) throw e;
      const leader = await this.coordinator?.leader(CONTROLLERS_ELECTION).catch(() => undefined);
      throw unavailable(
        `no DRS pass over cluster "${current.name}" ran within ${Math.round(this.waitMs(ctx) / 1000)} s of the request (${
          leader ? `the leader is replica ${leader}` : "no replica leads the controllers now"
        }); the request stands and the leader runs the pass when it can — GetStatus shows run_pending until then`,
        { resource: { kind: "Cluster", id: clusterId, name: current.name }, ...(leader ? { leader } : {}) },
      );
    }
  }

  private decision(ctx: CallContext): Partial<DrsRecommendation> {
    return { decidedBy: ctx.principal.name.slice(0, 128), decidedAt: this.deps.clock.now().toISOString() };
  }

  private waitMs(ctx: CallContext): number {
    const left = ctx.deadline ? ctx.deadline.getTime() - Date.now() - 250 : Number.POSITIVE_INFINITY;
    return Math.max(0, Math.min(this.settings.runNowTimeoutMs, left));
  }

  /**
   * waitFor follows the cluster's changes from before the request is written, so the pass that
   * serves it cannot be missed; `done` resolves with the cluster once a pass served the ticket.
   */
  private waitFor(ctx: CallContext, clusterId: string) {
    let wanted = Number.POSITIVE_INFINITY;
    let resolve!: (c: Cluster) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<Cluster>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const check = (c: Cluster) => {
      if ((c.status?.drs?.runsServed ?? 0) >= wanted) resolve(c);
    };
    const unsubscribe = this.relay.subscribe({
      change: (entry) => {
        if (entry.kind === "Cluster" && entry.id === clusterId && entry.type !== "DELETED")
          check(entry.object);
        if (entry.kind === "Cluster" && entry.id === clusterId && entry.type === "DELETED")
          reject(failedPrecondition(`cluster ${clusterId} was deleted before its DRS pass ran`));
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => reject(ctx.signal.reason ?? TIMED_OUT);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const cancel = () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
    };
    void done.then(cancel, cancel);
    return {
      done,
      cancel,
      ticket: (n: number) => {
        wanted = n;
        timer = setTimeout(() => reject(TIMED_OUT), this.waitMs(ctx));
        // The pass may have been recorded before this call learnt its ticket.
        void this.deps.repos.clusters.find(clusterId).then((c) => c && check(c), reject);
      },
    };
  }

  private async statusOf(cluster: Cluster): Promise<DrsStatusView> {
    const count = (state: RecommendationState) =>
      this.deps.repos.drsRecommendations.count({ clusterId: cluster.id, states: [state] });
    const [pending, approved, applying] = await Promise.all([
      count("PENDING"),
      count("APPROVED"),
      count("APPLYING"),
    ]);
    await this.relay.caughtUp();
    const drs = cluster.status?.drs;
    return {
      clusterId: cluster.id,
      enabled: cluster.spec.drs.enabled,
      imbalance: currentImbalance(this.snapshot, cluster.id, cluster.spec.drs),
      ...(drs?.lastRunAt ? { lastRunAt: drs.lastRunAt } : {}),
      ...(cluster.spec.drs.enabled && drs?.nextRunAt ? { nextRunAt: drs.nextRunAt } : {}),
      ...(drs?.imbalanceBefore !== undefined ? { imbalanceBefore: drs.imbalanceBefore } : {}),
      ...(drs?.imbalanceAfter !== undefined ? { imbalanceAfter: drs.imbalanceAfter } : {}),
      ...(drs?.lastResult ? { lastResult: drs.lastResult } : {}),
      ...(drs?.lastError ? { lastError: drs.lastError } : {}),
      pending,
      approved,
      applying,
      migrationsInFlight: migrationsInFlight(this.snapshot, cluster.id).total,
      ...(drs?.runRequestedAt ? { runRequestedAt: drs.runRequestedAt } : {}),
      runPending: (drs?.runRequests ?? 0) > (drs?.runsServed ?? 0),
    };
  }
}

/** TIMED_OUT marks the end of RunNow's wait for the leader. */
const TIMED_OUT = Symbol("timed out");
