import { serviceId } from "../composition/service-id";
import type { AlertController } from "./alert-controller";
import type { AlertRuleService } from "./alert-rule-service";
import type { AlertService } from "./alert-service";
import type { AlertNotifier } from "./notify/alert-notifier";
import type { Notifier } from "./notify/alert-notification";

/** ALERTS names the alert area's services in the container. */
export const ALERTS = {
  alerts: serviceId<AlertService>("AlertService"),
  rules: serviceId<AlertRuleService>("AlertRuleService"),
  /** evaluation is the controller that evaluates the rules on the leader. */
  evaluation: serviceId<AlertController>("AlertController"),
  /** notifier tells the notifiers of alert events on the leader. */
  notifier: serviceId<AlertNotifier>("AlertNotifier"),
  /** notifiers are told of alert events: the log and one per webhook; an integrator rebinds the list to add its own. */
  notifiers: serviceId<readonly Notifier[]>("AlertNotifiers"),
} as const;
