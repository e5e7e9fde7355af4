// limiquantix.alert.v1: alerts and alert rules (AlertService).
export * from "../gen/limiquantix/alert/v1/alert_pb";
export * from "../gen/limiquantix/alert/v1/alert_service_pb";
