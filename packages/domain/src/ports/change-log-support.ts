import { DomainError, ErrorCode, type FieldViolation, invalidArgument } from "../errors";
import type { ChangeLogCompaction } from "./change-log";

/** REVISION_COMPACTED is the `reason` in the details of the error for a revision the change log no longer keeps. */
export const REVISION_COMPACTED = "revision-compacted";

/** MAX_CHANGE_LOG_READ is the largest `limit` a change log read accepts. */
export const MAX_CHANGE_LOG_READ = 10_000;

/**
 * revisionCompacted builds the error for a read from a revision older than the change log keeps
 * (as Kubernetes answers 410 Gone): FailedPrecondition, details `{ reason: "revision-compacted",
 * oldestRevision }`, and a message that says to list again.
 */
export function revisionCompacted(revision: number, oldestRevision: number): DomainError {
  return new DomainError(
    ErrorCode.FailedPrecondition,
    `revision ${revision} is too old: the change log keeps only the changes after revision ${oldestRevision}; ` +
      "list again and follow the changes from the revision of that list",
    { reason: REVISION_COMPACTED, revision, oldestRevision },
  );
}

/** isRevisionCompacted says whether a thrown value is the error of revisionCompacted. */
export function isRevisionCompacted(value: unknown): value is DomainError {
  return value instanceof DomainError && value.details.reason === REVISION_COMPACTED;
}

/** checkRevision refuses anything but a non-negative safe integer as a revision, with InvalidArgument naming the field. */
export function checkRevision(revision: unknown, field = "afterRevision"): number {
  if (typeof revision !== "number" || !Number.isSafeInteger(revision) || revision < 0)
    throw invalidArgument([
      { field, description: `must be a revision: an integer of at least 0 (got ${String(revision)})` },
    ]);
  return revision;
}

/** checkReadLimit refuses a read limit that is not an integer from 1 to MAX_CHANGE_LOG_READ. */
export function checkReadLimit(limit: unknown): number {
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGE_LOG_READ)
    throw invalidArgument([
      {
        field: "limit",
        description: `must be an integer from 1 to ${MAX_CHANGE_LOG_READ} (got ${String(limit)})`,
      },
    ]);
  return limit;
}

/** checkCompaction refuses a compaction policy whose bounds are not non-negative integers. */
export function checkCompaction(policy: ChangeLogCompaction): ChangeLogCompaction {
  if (policy === null || typeof policy !== "object")
    throw invalidArgument([
      { field: "policy", description: "must be an object: { maxAgeMs?, maxEntries? }" },
    ]);
  const violations: FieldViolation[] = [];
  for (const field of ["maxAgeMs", "maxEntries"] as const) {
    const value: unknown = policy[field];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
      violations.push({ field, description: `must be an integer of at least 0 (got ${String(value)})` });
  }
  if (violations.length > 0) throw invalidArgument(violations, "change log compaction");
  return policy;
}
