import { z } from "zod";
import { Id, Timestamp } from "../common";
import { ERROR_CODES, type ErrorCode } from "../errors";

/** AuditEntry records one call: who did what to which resource, and how it ended. Entries are never changed. */
export const AuditEntry = z.strictObject({
  id: Id,
  at: Timestamp,
  actor: z.strictObject({
    userId: Id.optional(),
    username: z.string().min(1).max(128),
    ip: z.string().max(64).optional(),
  }),
  /** The call, e.g. `limiquantix.compute.v1.VMService/CreateVM`. */
  action: z.string().min(1).max(256),
  resource: z
    .strictObject({
      kind: z.string().min(1).max(64),
      id: Id.optional(),
      name: z.string().max(253).optional(),
    })
    .optional(),
  projectId: Id.optional(),
  outcome: z.enum(["SUCCESS", "FAILURE"]),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).optional(),
  requestId: z.string().max(128).optional(),
  details: z.record(z.string(), z.unknown()).default({}),
});
/** AuditEntry records one call. */
export type AuditEntry = z.infer<typeof AuditEntry>;
