import type { Alert, AlertRule, Node } from "@limiquantix/domain";
import type { Logger } from "pino";
import { systemContext } from "../context/call-context";
import type { Controller } from "../controllers/controller";
import type { ChangeRelay } from "../events/change-relay";
import type { ServerMetrics } from "../observability/metrics";
import { allItems } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";
import type { AlertRuleService } from "./alert-rule-service";
import type { AlertDraft, AlertService } from "./alert-service";
import type { VmUsageSource } from "./vm-usage-reader";
import { type MetricKind, usesVmMetrics } from "./evaluation/metric-catalog";
import { samplesOf, type VmReadings } from "./evaluation/metric-samples";
import { type FireDecision, evaluateRules, operatorText, type Tracking } from "./evaluation/rule-evaluation";

/** AlertControllerOptions say how often to evaluate, and where to hear of node phase changes between passes. */
export interface AlertControllerOptions {
  readonly intervalMs: number;
  /** changes, when given, is followed while this replica leads: a node's phase change starts a pass at once. */
  readonly changes?: Pick<ChangeRelay, "subscribe">;
  readonly metrics?: Pick<ServerMetrics, "alertEvaluations">;
  /** vmUsage, when given, is asked for the VMs' usage in passes where an enabled rule watches a VM metric. */
  readonly vmUsage?: VmUsageSource;
}

/** PassResult is what one evaluation pass did. */
export interface PassResult {
  readonly fired: readonly Alert[];
  readonly resolved: readonly Alert[];
  /** Fingerprints whose condition held long enough but whose rule's cooldown held the alert back. */
  readonly coolingDown: readonly string[];
}

const CONTEXT = systemContext("alert-evaluation");

/**
 * AlertController evaluates every enabled alert rule over the latest metrics the store holds,
 * every interval, on the leader. Alerts live in the store, one active per rule × resource, so a
 * new leader picks up where the old one stopped; only how long a condition has held or cleared is
 * kept here, so after a change of leader a pending condition starts its for-duration again. On its
 * first pass it creates the built-in rules that are missing.
 */
export class AlertController implements Controller {
  readonly name = "alert-evaluation";
  private tracking = new Map<string, Tracking>();
  private timer: NodeJS.Timeout | undefined;
  private unfollow: (() => void) | undefined;
  private builtInsEnsured = false;
  private running: Promise<PassResult> | undefined;
  private again = false;
  /** Each node's phase as last relayed or read by a pass. */
  private readonly phases = new Map<string, string>();
  private stopped = true;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly alerts: AlertService,
    private readonly rules: AlertRuleService,
    private readonly options: AlertControllerOptions,
    private readonly logger: Logger,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    this.stopped = false;
    this.tracking = new Map();
    this.timer = setInterval(() => {
      if (!signal.aborted) this.kick();
    }, this.options.intervalMs);
    this.timer.unref();
    const phases = this.phases;
    phases.clear();
    this.unfollow = this.options.changes?.subscribe({
      change: (entry) => {
        if (entry.kind !== "Node") return;
        // Heartbeats and placements write nodes too: only a change of phase from what was last
        // seen or read (or a node coming or going) is news.
        const phase = entry.type === "DELETED" ? undefined : entry.object.status.phase;
        if (phases.get(entry.id) === phase) return;
        if (phase === undefined) phases.delete(entry.id);
        else phases.set(entry.id, phase);
        this.kick();
      },
    });
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unfollow?.();
    this.unfollow = undefined;
    await this.running?.catch(() => undefined);
  }

  /** kick starts a pass now, or right after the one under way (passes never overlap). */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.evaluate()
      .then(
        (r) => r,
        (e: unknown) => {
          this.logger.warn({ err: e }, "alert evaluation failed; trying again at the next interval");
          return { fired: [], resolved: [], coolingDown: [] };
        },
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * evaluate runs one pass: it reads every rule, the metrics of every node, pool and cluster (and,
   * when a rule watches one, of every VM), and the active alerts, decides (evaluateRules), then raises and resolves alerts in the store.
   */
  async evaluate(): Promise<PassResult> {
    try {
      const result = await this.pass();
      this.options.metrics?.alertEvaluations.inc({ outcome: "ok" });
      return result;
    } catch (e) {
      this.options.metrics?.alertEvaluations.inc({ outcome: "failed" });
      throw e;
    }
  }

  private async pass(): Promise<PassResult> {
    const { repos, clock } = this.deps;
    if (!this.builtInsEnsured) {
      const created = await this.rules.ensureBuiltIns();
      if (created.length > 0)
        this.logger.info({ rules: created.map((r) => r.name) }, "built-in alert rules created");
      this.builtInsEnsured = true;
    }
    const [rules, nodes, pools, clusters, active] = await Promise.all([
      allItems(repos.alertRules, {}),
      allItems(repos.nodes, {}),
      allItems(repos.storagePools, {}),
      allItems(repos.clusters, {}),
      this.alerts.active(),
    ]);
    // A node's next change is news only if it changes the phase this pass has seen.
    for (const n of nodes) if (!this.phases.has(n.id)) this.phases.set(n.id, n.status.phase);
    const vms = await this.vmReadings(rules, nodes);
    const now = clock.now().getTime();
    const decision = evaluateRules({
      now,
      rules,
      samples: samplesOf(nodes, pools, clusters, vms),
      active,
      tracking: this.tracking,
    });
    this.tracking = decision.tracking;
    const fired: Alert[] = [];
    const resolved: Alert[] = [];
    const coolingDown: string[] = [];
    for (const d of decision.resolve) {
      const alert = await this.alerts.resolve(CONTEXT, d.alert.id, d.reason);
      resolved.push(alert);
      this.logger.info({ alert: alert.id, title: alert.title, reason: d.reason }, "alert resolved");
    }
    for (const d of decision.fire) {
      const outcome = await this.alerts.raise(CONTEXT, draftOf(d), d.rule.spec.cooldownSec);
      if (outcome.outcome === "fired") fired.push(outcome.alert);
      else if (outcome.outcome === "cooling-down") coolingDown.push(d.fingerprint);
    }
    return { fired, resolved, coolingDown };
  }

  /** vmReadings lists the VMs and asks their agents for usage, only when an enabled rule watches a VM metric. */
  private async vmReadings(
    rules: readonly AlertRule[],
    nodes: readonly Node[],
  ): Promise<VmReadings | undefined> {
    const source = this.options.vmUsage;
    if (!source || !usesVmMetrics(rules)) return undefined;
    const vms = await allItems(this.deps.repos.vms, {});
    return { vms, usage: await source.read(nodes, vms) };
  }
}

/** KIND_TEXT is how alert titles name each kind of resource. */
const KIND_TEXT: Readonly<Record<MetricKind, string>> = {
  Node: "node",
  StoragePool: "storage pool",
  Cluster: "cluster",
  VirtualMachine: "VM",
};

/** draftOf words the alert a fire decision raises. */
function draftOf(d: FireDecision): AlertDraft {
  const { rule, metric, sample, value } = d;
  const kind = KIND_TEXT[sample.kind];
  const op = operatorText(rule.spec.operator);
  const title =
    metric.unit === "flag"
      ? `${kind} ${sample.name} ${metric.name === "node.failed" ? "has failed" : `is ${metric.label}`}`
      : `${kind} ${sample.name}: ${metric.label} ${value}% ${op} ${rule.spec.threshold}%`;
  const held = d.heldSec > 0 ? ` for ${d.heldSec}s` : "";
  const message = [
    rule.spec.description,
    `Rule ${rule.name}: ${metric.name} ${op} ${rule.spec.threshold} has held${held} (now ${value}).`,
  ]
    .filter((s) => s !== "")
    .join(" ");
  return {
    severity: rule.spec.severity,
    source: { kind: sample.kind, id: sample.id, name: sample.name },
    title,
    message,
    fingerprint: d.fingerprint,
    ruleId: rule.id,
    ruleName: rule.name,
    labels: {},
    ...(sample.clusterId ? { clusterId: sample.clusterId } : {}),
    ...(sample.projectId ? { projectId: sample.projectId } : {}),
  };
}
