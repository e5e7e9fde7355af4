import { ContainerModule } from "inversify";
import type { Logger } from "pino";
import { CORE, type ServerConfig } from "../composition/core-module";
import type { AgentDirectory } from "../compute/agent-directory";
import { COMPUTE } from "../compute/compute-ids";
import type { ChangeRelay } from "../events/change-relay";
import type { ServerMetrics } from "../observability/metrics";
import { EVENTS } from "../events/events-ids";
import { RpcRoute } from "../rpc/route";
import { AlertController } from "./alert-controller";
import { alertHandler } from "./alert-handler";
import { ALERTS } from "./alert-ids";
import { AlertRuleService } from "./alert-rule-service";
import { AlertService } from "./alert-service";
import { AlertNotifier } from "./notify/alert-notifier";
import type { Notifier } from "./notify/alert-notification";
import { LogNotifier } from "./notify/log-notifier";
import { AgentVmUsage } from "./vm-usage-reader";
import { WebhookNotifier } from "./notify/webhook-notifier";

const metricsOf = (metrics: ServerMetrics | undefined) => (metrics ? { metrics } : {});

/**
 * alertModule binds the alert area: the alert and rule services, the AlertService handler, and two
 * controllers that run on the leader: rule evaluation (every `alerts.evaluationIntervalSec`) and
 * notification (the log, and each of `alerts.webhooks`).
 */
export const alertModule = new ContainerModule(({ bind }) => {
  bind(ALERTS.alerts)
    .toDynamicValue((c) => new AlertService(c.get(CORE.deps)))
    .inSingletonScope();
  bind(ALERTS.rules)
    .toDynamicValue((c) => new AlertRuleService(c.get(CORE.deps)))
    .inSingletonScope();

  bind(ALERTS.notifiers)
    .toDynamicValue((c): readonly Notifier[] => {
      const logger = c.get<Logger>(CORE.logger);
      const metrics = c.get<ServerMetrics | undefined>(CORE.metrics);
      const webhooks = c
        .get<ServerConfig>(CORE.config)
        .alerts.webhooks.map((t) => new WebhookNotifier(t, { logger, ...(metrics ? { metrics } : {}) }));
      return [new LogNotifier(logger), ...webhooks];
    })
    .inSingletonScope();
  bind(ALERTS.evaluation)
    .toDynamicValue(
      (c) =>
        new AlertController(
          c.get(CORE.deps),
          c.get(ALERTS.alerts),
          c.get(ALERTS.rules),
          {
            intervalMs: c.get<ServerConfig>(CORE.config).alerts.evaluationIntervalSec * 1000,
            changes: c.get<ChangeRelay>(CORE.relay),
            vmUsage: new AgentVmUsage(c.get<AgentDirectory>(COMPUTE.agents), c.get<Logger>(CORE.logger)),
            ...metricsOf(c.get<ServerMetrics | undefined>(CORE.metrics)),
          },
          c.get<Logger>(CORE.logger),
        ),
    )
    .inSingletonScope();
  bind(ALERTS.notifier)
    .toDynamicValue(
      (c) =>
        new AlertNotifier(
          c.get<ChangeRelay>(CORE.relay),
          c.get<readonly Notifier[]>(ALERTS.notifiers),
          c.get<Logger>(CORE.logger),
          c.get<ServerMetrics | undefined>(CORE.metrics),
        ),
    )
    .inSingletonScope();

  bind(CORE.controller).toService(ALERTS.evaluation);
  bind(CORE.controller).toService(ALERTS.notifier);

  bind(RpcRoute).toDynamicValue((c) =>
    alertHandler({ alerts: c.get(ALERTS.alerts), rules: c.get(ALERTS.rules), watch: c.get(EVENTS.watch) }),
  );
});
