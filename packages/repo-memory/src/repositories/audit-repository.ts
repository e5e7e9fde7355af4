import {
  AuditEntry,
  type AuditFilter,
  type AuditRepository,
  alreadyExists,
  decodeCursor,
  encodeCursor,
  type FieldViolation,
  invalidArgument,
  type Page,
  type PageRequest,
  pageLimit,
  parseOrThrow,
  Timestamp,
} from "@limiquantix/domain";
import { AUDIT_TABLE, type StoreAccess } from "../store";
import { copy } from "./resource-repository";

const FILTER_KEYS = [
  "username",
  "action",
  "projectId",
  "resourceKind",
  "resourceId",
  "outcome",
  "since",
  "until",
];

/** checkFilter refuses unknown criteria, non-string values, an unknown outcome and malformed instants. */
function checkFilter(filter: AuditFilter | undefined): AuditFilter {
  if (filter === undefined) return {};
  if (filter === null || typeof filter !== "object")
    throw invalidArgument([{ field: "filter", description: "must be an object" }], "audit filter");
  const violations: FieldViolation[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const field = `filter.${key}`;
    if (!FILTER_KEYS.includes(key)) violations.push({ field, description: "is not a known filter" });
    else if (typeof value !== "string") violations.push({ field, description: "must be a string" });
    else if ((key === "since" || key === "until") && !Timestamp.safeParse(value).success)
      violations.push({
        field,
        description: `must be an ISO-8601 UTC timestamp (got ${JSON.stringify(value)})`,
      });
    else if (key === "outcome" && value !== "SUCCESS" && value !== "FAILURE")
      violations.push({
        field,
        description: `must be one of "SUCCESS", "FAILURE" (got ${JSON.stringify(value)})`,
      });
  }
  if (violations.length > 0) throw invalidArgument(violations, "audit filter");
  return filter;
}

function matches(f: AuditFilter, e: AuditEntry, t: number): boolean {
  if (f.username !== undefined && e.actor.username !== f.username) return false;
  if (f.action !== undefined && e.action !== f.action) return false;
  if (f.projectId !== undefined && e.projectId !== f.projectId) return false;
  if (f.resourceKind !== undefined && e.resource?.kind !== f.resourceKind) return false;
  if (f.resourceId !== undefined && e.resource?.id !== f.resourceId) return false;
  if (f.outcome !== undefined && e.outcome !== f.outcome) return false;
  if (f.since !== undefined && t < Date.parse(f.since)) return false;
  if (f.until !== undefined && t >= Date.parse(f.until)) return false;
  return true;
}

/** newerFirst orders entries newest first by time, then by id (descending). */
function newerFirst(a: { t: number; id: string }, b: { t: number; id: string }): number {
  if (a.t !== b.t) return b.t - a.t;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** MemoryAuditRepository is the append-only audit log in memory; writes also store the entries of audited calls (see StoreAccess.record). */
export class MemoryAuditRepository implements AuditRepository {
  constructor(private readonly access: StoreAccess) {}

  async append(entry: AuditEntry): Promise<AuditEntry> {
    const row = parseOrThrow(AuditEntry, entry, "AuditEntry");
    return this.access.write(() => {
      const rows = this.access.table<AuditEntry>(AUDIT_TABLE);
      if (rows.get(row.id)) throw alreadyExists("AuditEntry", row.id);
      rows.put(row);
      return copy(row);
    });
  }

  async list(filter?: AuditFilter, page?: PageRequest): Promise<Page<AuditEntry>> {
    const matching = this.matching(filter);
    const limit = pageLimit(page);
    let start = 0;
    if (page?.cursor !== undefined) {
      const pos = decodeCursor(page.cursor, AUDIT_TABLE);
      const cursor = { t: Date.parse(pos.key), id: pos.id };
      start = matching.findIndex((m) => newerFirst(cursor, m) < 0);
      if (start < 0) start = matching.length;
    }
    const slice = matching.slice(start, start + limit);
    const items = slice.map((m) => copy(m.entry));
    const last = slice[slice.length - 1];
    return start + limit < matching.length && last
      ? {
          items,
          total: matching.length,
          nextCursor: encodeCursor({ scope: AUDIT_TABLE, key: last.entry.at, id: last.id }),
        }
      : { items, total: matching.length };
  }

  async count(filter?: AuditFilter): Promise<number> {
    return this.matching(filter).length;
  }

  async prune(before: string): Promise<number> {
    const cutoff = Date.parse(parseOrThrow(Timestamp, before, "audit prune", ["before"]));
    return this.access.write(() => {
      const rows = this.access.table<AuditEntry>(AUDIT_TABLE);
      const doomed = [...rows.ids()].filter((id) => Date.parse(rows.get(id)!.at) < cutoff);
      for (const id of doomed) rows.remove(id);
      return doomed.length;
    });
  }

  private matching(filter: AuditFilter | undefined): { t: number; id: string; entry: AuditEntry }[] {
    const f = checkFilter(filter);
    const rows = this.access.table<AuditEntry>(AUDIT_TABLE);
    const out: { t: number; id: string; entry: AuditEntry }[] = [];
    for (const id of rows.ids()) {
      const entry = rows.get(id)!;
      const t = Date.parse(entry.at);
      if (matches(f, entry, t)) out.push({ t, id, entry });
    }
    return out.sort(newerFirst);
  }
}
