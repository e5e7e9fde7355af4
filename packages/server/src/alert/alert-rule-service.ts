import {
  type AlertRule,
  type AlertRuleInput,
  ErrorCode,
  type FieldViolation,
  failedPrecondition,
  hasErrorCode,
  invalidArgument,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import type { ServiceDeps } from "../shared/service-deps";
import { BUILT_IN_RULES, isBuiltInRule } from "./built-in-rules";
import { METRICS, type MetricKind, metricNamed, metricRange } from "./evaluation/metric-catalog";

/**
 * AlertRuleService manages alert rules: a rule must watch a metric the server evaluates, with a
 * threshold inside the metric's range, and a scope that names resources that exist. The built-in
 * rules are created once and cannot be deleted, only changed or disabled.
 */
export class AlertRuleService extends CrudService<AlertRule, AlertRuleInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "AlertRule", deps.repos.alertRules);
  }

  /** createRule checks a new rule's spec and stores it. */
  async createRule(ctx: CallContext, input: Omit<AlertRuleInput, "id">): Promise<AlertRule> {
    await this.check(input.spec);
    return this.create(ctx, input);
  }

  /** updateRule applies an edit (checking expectedVersion when given) and checks the spec that results. */
  updateRule(
    ctx: CallContext,
    id: string,
    change: (current: AlertRule) => AlertRule,
    expectedVersion?: number,
  ): Promise<AlertRule> {
    return this.update(
      ctx,
      id,
      async (current) => {
        const next = change(current);
        await this.check(next.spec);
        return next;
      },
      expectedVersion,
    );
  }

  /** deleteRule removes a rule; a built-in one is FailedPrecondition (disable it instead). Its active alerts resolve at the next pass. */
  async deleteRule(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    if (isBuiltInRule(id)) {
      const rule = await this.get(ctx, id);
      throw failedPrecondition(
        `alert rule "${rule.name}" is built in and would come back at the next start; set spec.enabled to false to turn it off`,
        { resource: { kind: "AlertRule", id, name: rule.name } },
      );
    }
    await this.delete(ctx, id, expectedVersion);
  }

  /** ensureBuiltIns creates each built-in rule whose name no rule has yet, and returns those it created. */
  async ensureBuiltIns(): Promise<AlertRule[]> {
    const created: AlertRule[] = [];
    for (const rule of BUILT_IN_RULES) {
      if ((await this.repo.find(rule.id)) || (await this.repo.findByName(rule.name))) continue;
      try {
        created.push(await this.repo.create(rule));
      } catch (e) {
        // Another replica created it first.
        if (!hasErrorCode(e, ErrorCode.AlreadyExists)) throw e;
      }
    }
    return created;
  }

  /** check refuses a spec the controller could not evaluate, naming the fields at fault. */
  private async check(spec: AlertRuleInput["spec"]): Promise<void> {
    const metric = metricNamed(spec.metric);
    if (!metric)
      throw invalidArgument([
        {
          field: "spec.metric",
          description: `names no metric the server evaluates (got "${spec.metric}"); known: ${METRICS.map((m) => m.name).join(", ")}`,
        },
      ]);
    const violations: FieldViolation[] = [];
    const { min, max } = metricRange(metric);
    if (spec.threshold < min || spec.threshold > max)
      violations.push({
        field: "spec.threshold",
        description: `must be between ${min} and ${max} for ${metric.name} (got ${spec.threshold})`,
      });
    const { clusterId, resourceId } = spec.scope ?? {};
    if (clusterId && !(await this.deps.repos.clusters.find(clusterId)))
      violations.push({
        field: "spec.scope.clusterId",
        description: `names no cluster (got "${clusterId}")`,
      });
    if (resourceId) {
      const resource = await this.findResource(metric.kind, resourceId);
      if (!resource)
        violations.push({
          field: "spec.scope.resourceId",
          description: `names no ${metric.kind} (got "${resourceId}"); ${metric.name} is read from ${metric.kind} resources`,
        });
      else if (clusterId && resource.clusterId !== clusterId)
        violations.push({
          field: "spec.scope.resourceId",
          description: `${metric.kind} "${resourceId}" is not in cluster "${clusterId}" (spec.scope.cluster_id)`,
        });
    }
    if (violations.length > 0) throw invalidArgument(violations);
  }

  private async findResource(kind: MetricKind, id: string): Promise<{ clusterId?: string } | undefined> {
    const { repos } = this.deps;
    switch (kind) {
      case "Node":
        return repos.nodes.find(id);
      case "StoragePool":
        return repos.storagePools.find(id);
      case "Cluster": {
        const cluster = await repos.clusters.find(id);
        return cluster ? { clusterId: cluster.id } : undefined;
      }
      case "VirtualMachine": {
        // A VM is in the cluster of the node it is placed on (none while it is not placed).
        const vm = await repos.vms.find(id);
        if (!vm) return undefined;
        const node = vm.status.nodeId ? await repos.nodes.find(vm.status.nodeId) : undefined;
        return node?.clusterId ? { clusterId: node.clusterId } : {};
      }
    }
  }
}
