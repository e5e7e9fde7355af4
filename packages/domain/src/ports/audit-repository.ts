import type { AuditEntry } from "../entities/audit-entry";
import type { Page, PageRequest } from "./pagination";
import { serviceIdentifier } from "./service-identifier";

/** AuditFilter narrows a list of audit entries; every given criterion must hold. */
export interface AuditFilter {
  readonly username?: string;
  readonly action?: string;
  readonly projectId?: string;
  readonly resourceKind?: string;
  readonly resourceId?: string;
  readonly outcome?: AuditEntry["outcome"];
  /** Entries at or after this instant. */
  readonly since?: string;
  /** Entries before this instant. */
  readonly until?: string;
}

/**
 * AuditRepository is the append-only audit log: entries are added and read, never changed, and
 * removed only by retention ({@link AuditRepository.prune}). Entries of audited calls that write
 * are also stored by the writes themselves (see CallAttribution.audit).
 */
export interface AuditRepository {
  /** append validates and stores an entry; a duplicate id is AlreadyExists (also when a write of the call already stored it). */
  append(entry: AuditEntry): Promise<AuditEntry>;
  /** list returns one page of entries, newest first (by `at`, then id). */
  list(filter?: AuditFilter, page?: PageRequest): Promise<Page<AuditEntry>>;
  /** count returns how many entries match the filter. */
  count(filter?: AuditFilter): Promise<number>;
  /** prune removes every entry whose `at` is before the instant (an ISO-8601 UTC timestamp, else InvalidArgument) and returns how many it removed. */
  prune(before: string): Promise<number>;
}
/** AuditRepository is the service identifier of the AuditRepository port. */
export const AuditRepository = serviceIdentifier<AuditRepository>("AuditRepository");
