import { createHash } from "node:crypto";
import {
  type Alert,
  type AlertInput,
  type AlertSeverity,
  type AlertState,
  ErrorCode,
  failedPrecondition,
  hasErrorCode,
  type ListFilter,
  type Page,
  type PageRequest,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { allItems } from "../shared/each-item";
import { filteredPage } from "../shared/filtered-page";
import { withProjectId } from "../shared/project-ref";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** FINGERPRINT_LABEL carries a digest of an alert's fingerprint, so every alert raised for one rule × resource is found by it. */
export const FINGERPRINT_LABEL = "alerts.limiquantix.io/fingerprint";
/** RULE_LABEL names the rule that raised an alert. */
export const RULE_LABEL = "alerts.limiquantix.io/rule";

/** AlertQuery is what ListAlerts filters on. */
export interface AlertQuery extends ListFilter<AlertState> {
  readonly severities?: readonly AlertSeverity[];
  /** The id of the resource the alerts are about. */
  readonly sourceId?: string;
}

/** AlertDraft is an alert about to be raised by a rule. */
export type AlertDraft = Omit<AlertInput, "id" | "state" | "acknowledged" | "resolved"> & {
  readonly ruleId: string;
  readonly ruleName: string;
};

/** RaiseOutcome says what raising an alert did: created it, found it already active, or held it back for the rule's cooldown. */
export type RaiseOutcome =
  | { readonly outcome: "fired"; readonly alert: Alert }
  | { readonly outcome: "active"; readonly alert: Alert }
  | { readonly outcome: "cooling-down"; readonly until: string };

/** fingerprintKey is the digest of a fingerprint that labels and ids carry (fingerprints are too long for either). */
export function fingerprintKey(fingerprint: string): string {
  return createHash("sha256").update(fingerprint).digest("hex").slice(0, 24);
}

/** alertIdOf is the id of the n-th alert (from 0) raised for a fingerprint: every evaluator agrees on it, so two can never both create it. */
export function alertIdOf(key: string, n: number): string {
  return `alert-${key}-${n}`;
}

/**
 * AlertService reads alerts and carries out what is done to them: operators acknowledge and
 * resolve them; the evaluation controller raises them and resolves them when their condition
 * clears. The store holds every alert's state, so whichever replica leads sees the same ones.
 */
export class AlertService {
  constructor(private readonly deps: ServiceDeps) {}

  /** list returns one page of alerts; severities and source are tested here, the rest by the store. */
  async list(_ctx: CallContext, query: AlertQuery = {}, page?: PageRequest): Promise<Page<Alert>> {
    const { severities, sourceId, ...rest } = query;
    const filter = await withProjectId(this.deps.repos, rest);
    if (!severities?.length && !sourceId) return this.deps.repos.alerts.list(filter, page);
    return filteredPage(
      this.deps.repos.alerts,
      filter,
      (a) =>
        (!severities?.length || severities.includes(a.severity)) && (!sourceId || a.source.id === sourceId),
      page,
    );
  }

  /** get returns an alert or throws NotFound. */
  get(_ctx: CallContext, id: string): Promise<Alert> {
    return this.deps.repos.alerts.get(id);
  }

  /** active returns every unresolved alert a rule raised. */
  async active(): Promise<Alert[]> {
    const open = await allItems(this.deps.repos.alerts, { states: ["OPEN", "ACKNOWLEDGED"] as AlertState[] });
    return open.filter((a) => a.ruleId !== undefined);
  }

  /**
   * acknowledge records who is on an open alert, when, and their comment. Acknowledging it again
   * changes nothing (the first acknowledgement stands); a resolved alert is FailedPrecondition.
   */
  async acknowledge(ctx: CallContext, id: string, comment?: string): Promise<Alert> {
    const current = await this.deps.repos.alerts.get(id);
    if (current.state === "ACKNOWLEDGED") return current;
    return readModifyWrite(this.deps.repos.alerts, id, (a) => {
      if (a.state === "RESOLVED")
        throw failedPrecondition(
          `alert "${a.title}" was resolved by ${a.resolved?.by ?? "someone"} at ${a.resolved?.at ?? "an earlier time"}; there is nothing left to acknowledge`,
          { resource: { kind: "Alert", id: a.id } },
        );
      return { ...a, state: "ACKNOWLEDGED", acknowledged: this.stamp(ctx, comment) };
    });
  }

  /**
   * resolve closes an alert by hand (or, from the controller, because its condition cleared): who,
   * when and why are recorded. Resolving a resolved alert changes nothing. A rule's condition that
   * still holds raises a new alert after the rule's for-duration and cooldown.
   */
  async resolve(ctx: CallContext, id: string, comment?: string): Promise<Alert> {
    const current = await this.deps.repos.alerts.get(id);
    if (current.state === "RESOLVED") return current;
    return readModifyWrite(this.deps.repos.alerts, id, (a) =>
      a.state === "RESOLVED" ? a : { ...a, state: "RESOLVED", resolved: this.stamp(ctx, comment) },
    );
  }

  /**
   * raise creates the alert of a rule × resource unless one is already active or the rule's
   * cooldown since the last one resolved has not passed. The n-th alert of a fingerprint has a
   * fixed id, so two evaluators racing (an old leader's last pass and a new leader's first) create
   * it once: the loser finds it already there.
   */
  async raise(_ctx: CallContext, draft: AlertDraft, cooldownSec: number): Promise<RaiseOutcome> {
    const repo = this.deps.repos.alerts;
    const active = await repo.findActiveByFingerprint(draft.fingerprint);
    if (active) return { outcome: "active", alert: active };
    const key = fingerprintKey(draft.fingerprint);
    const n = await repo.count({ labelSelector: `${FINGERPRINT_LABEL}=${key}` });
    const previous = n > 0 ? await repo.find(alertIdOf(key, n - 1)) : undefined;
    if (previous && previous.state !== "RESOLVED") return { outcome: "active", alert: previous };
    if (previous?.resolved && cooldownSec > 0) {
      const until = Date.parse(previous.resolved.at) + cooldownSec * 1000;
      if (this.deps.clock.now().getTime() < until)
        return { outcome: "cooling-down", until: new Date(until).toISOString() };
    }
    const { ruleName, ...input } = draft;
    const id = alertIdOf(key, n);
    try {
      const alert = await repo.create({
        ...input,
        id,
        labels: { ...input.labels, [FINGERPRINT_LABEL]: key, [RULE_LABEL]: ruleName },
      });
      return { outcome: "fired", alert };
    } catch (e) {
      if (!hasErrorCode(e, ErrorCode.AlreadyExists)) throw e;
      return { outcome: "active", alert: await repo.get(id) };
    }
  }

  private stamp(ctx: CallContext, comment?: string): NonNullable<Alert["acknowledged"]> {
    return {
      by: ctx.principal.name,
      at: this.deps.clock.now().toISOString(),
      ...(comment ? { comment } : {}),
    };
  }
}
