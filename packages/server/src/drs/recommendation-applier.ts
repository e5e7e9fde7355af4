import {
  conflict,
  type DrsRecommendation,
  failedPrecondition,
  isDomainError,
  resourceExhausted,
} from "@limiquantix/domain";
import type { ClusterSnapshot } from "@limiquantix/scheduler";
import type { VmMigrationService } from "../compute/vm-migration-service";
import type { CallContext } from "../context/call-context";
import type { ChangeRelay } from "../events/change-relay";
import { KeyedMutex } from "../shared/keyed-mutex";
import type { ServiceDeps } from "../shared/service-deps";
import { capRefusal, migrationsInFlight } from "./cluster-load";
import type { DrsRuntimeSettings } from "./drs-settings";
import { clip, moveTo, settle } from "./recommendation-state";

/** StartedApply is a recommendation whose migration is under way, and the promise of how it ended. */
export interface StartedApply {
  /** The recommendation, APPLYING. */
  readonly recommendation: DrsRecommendation;
  /** Resolves with the recommendation APPLIED or FAILED once the migration ends (never rejects). */
  readonly done: Promise<DrsRecommendation>;
}

/** ApplyAttempt is how an apply the controller tries went: started, held back by the caps, or refused with the reason (the recommendation then says it too). */
export type ApplyAttempt =
  | { readonly kind: "started"; readonly started: StartedApply }
  | { readonly kind: "capped"; readonly reason: string }
  | { readonly kind: "refused"; readonly reason: string };

/**
 * RecommendationApplier carries out MIGRATE recommendations through the migration service: it
 * checks that the VM is still where the recommendation found it and that the migration caps
 * leave room, marks the recommendation APPLYING, starts the migration and, when it ends, marks the
 * recommendation APPLIED or FAILED with the migration's error. Applies on this replica run one at a
 * time per cluster, so two of them never both take the last slot.
 */
export class RecommendationApplier {
  private readonly gate = new KeyedMutex();
  /** Recommendations whose migration this replica started and waits for. */
  private readonly following = new Set<string>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly migrations: VmMigrationService,
    private readonly snapshot: ClusterSnapshot,
    private readonly relay: Pick<ChangeRelay, "caughtUp">,
    private readonly settings: DrsRuntimeSettings,
  ) {}

  /**
   * apply starts a pending or approved recommendation now, for a caller: a recommendation that can
   * no longer be carried out is marked (SUPERSEDED when its VM moved, FAILED when the migration
   * refuses to start) and the call fails saying why; full caps fail with ResourceExhausted and
   * change nothing.
   */
  async apply(
    ctx: CallContext,
    id: string,
    decidedBy: string,
    expectedVersion?: number,
  ): Promise<StartedApply> {
    const rec = await this.deps.repos.drsRecommendations.get(id);
    if (expectedVersion !== undefined && rec.resourceVersion !== expectedVersion)
      throw conflict("DrsRecommendation", id, expectedVersion, rec.resourceVersion);
    const attempt = await this.tryApply(ctx, rec, decidedBy);
    if (attempt.kind === "started") return attempt.started;
    if (attempt.kind === "capped")
      throw resourceExhausted(
        `recommendation ${rec.id} waits for a migration slot: ${attempt.reason}; it is still ${rec.state} — apply it again when a migration ends`,
        { resource: { kind: "DrsRecommendation", id: rec.id }, retryAfterMs: 10_000 },
      );
    throw failedPrecondition(attempt.reason, { resource: { kind: "DrsRecommendation", id: rec.id } });
  }

  /** tryApply starts a recommendation if it still holds and the caps leave room, and says how it went. */
  async tryApply(ctx: CallContext, given: DrsRecommendation, decidedBy: string): Promise<ApplyAttempt> {
    return this.gate.run(given.clusterId, async () => {
      const rec = await this.deps.repos.drsRecommendations.get(given.id);
      // Throws FailedPrecondition for a recommendation already decided.
      moveTo(rec, "APPLYING");
      if (rec.type !== "MIGRATE" || !rec.vmId || !rec.sourceNodeId || !rec.targetNodeId)
        return this.refuse(rec, "FAILED", `a ${rec.type} recommendation is not carried out by this server`);
      const vm = await this.deps.repos.vms.find(rec.vmId);
      if (!vm) return this.refuse(rec, "SUPERSEDED", `vm ${rec.vmId} no longer exists`);
      if (vm.status.nodeId !== rec.sourceNodeId || vm.status.migration)
        return this.refuse(
          rec,
          "SUPERSEDED",
          vm.status.migration
            ? `vm "${vm.name}" is migrating to node ${vm.status.migration.targetNodeId} already`
            : `vm "${vm.name}" moved to node ${vm.status.nodeId ?? "(none)"} since it was recommended`,
        );
      await this.relay.caughtUp();
      const load = migrationsInFlight(this.snapshot, rec.clusterId);
      const full = capRefusal(this.snapshot, load, this.settings, rec.sourceNodeId, rec.targetNodeId);
      if (full !== undefined) return { kind: "capped", reason: full };
      const now = this.deps.clock.now().toISOString();
      const applying = await this.deps.repos.drsRecommendations.update(
        moveTo(rec, "APPLYING", rec.decidedBy ? {} : { decidedBy, decidedAt: now }),
      );
      let done: Promise<{ ok: boolean; error?: string }>;
      try {
        const started = await this.migrations.migrate(ctx, vm.id, {
          targetNodeId: rec.targetNodeId,
          ...(vm.status.powerState === "RUNNING" ? { live: true } : {}),
        });
        done = started.done;
      } catch (e) {
        const reason = isDomainError(e) ? e.message : String(e);
        await this.finish(applying, false, reason);
        return { kind: "refused", reason: `recommendation ${rec.id} failed: ${reason}` };
      }
      this.following.add(rec.id);
      await this.relay.caughtUp();
      return {
        kind: "started",
        started: {
          recommendation: applying,
          done: done.then(
            (outcome) => this.finish(applying, outcome.ok, outcome.error ?? ""),
            (e: unknown) => this.finish(applying, false, String(e)),
          ),
        },
      };
    });
  }

  /** follows says whether this replica started the recommendation's migration and will record how it ends. */
  follows(id: string): boolean {
    return this.following.has(id);
  }

  /** refuse marks a recommendation that can no longer be carried out, and says why. */
  private async refuse(
    rec: DrsRecommendation,
    to: "FAILED" | "SUPERSEDED",
    reason: string,
  ): Promise<ApplyAttempt> {
    await settle(this.deps.repos.drsRecommendations, rec.id, ["PENDING", "APPROVED"], to, () => ({
      error: clip(reason),
    }));
    return {
      kind: "refused",
      reason: `recommendation ${rec.id} cannot be applied: ${reason}; it is now ${to}`,
    };
  }

  /** finish records how a recommendation's migration ended; the record outlives a failure to write it only in the log. */
  private async finish(rec: DrsRecommendation, ok: boolean, error: string): Promise<DrsRecommendation> {
    try {
      const now = this.deps.clock.now().toISOString();
      const done = await settle(
        this.deps.repos.drsRecommendations,
        rec.id,
        ["APPLYING"],
        ok ? "APPLIED" : "FAILED",
        () => (ok ? { appliedAt: now } : { error: clip(`migration failed: ${error}`) }),
      );
      return done ?? (await this.deps.repos.drsRecommendations.get(rec.id));
    } catch (e) {
      this.deps.logger.error(
        { err: e, recommendation: rec.id },
        "could not record how a DRS migration ended",
      );
      return rec;
    } finally {
      this.following.delete(rec.id);
    }
  }
}
