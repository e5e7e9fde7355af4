// limiquantix.audit.v1: the audit trail (AuditService).
export * from "../gen/limiquantix/audit/v1/audit_entry_pb";
export * from "../gen/limiquantix/audit/v1/audit_service_pb";
