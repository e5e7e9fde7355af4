import {
  AuditEntry,
  type AuditFilter,
  type AuditRepository,
  DomainError,
  decodeCursor,
  ErrorCode,
  encodeCursor,
  invalidArgument,
  isDomainError,
  type Page,
  type PageRequest,
  pageLimit,
  parseOrThrow,
  Timestamp,
} from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import { SqlParams, whereClause } from "./filter-sql";
import type { RepoContext } from "./repo-context";

const TEXT_KEYS = ["username", "action", "projectId", "resourceKind", "resourceId", "outcome"] as const;
const TIME_KEYS = ["since", "until"] as const;
const KNOWN: ReadonlySet<string> = new Set([...TEXT_KEYS, ...TIME_KEYS]);

function checkFilter(filter: AuditFilter | undefined): AuditFilter {
  if (filter === undefined) return {};
  if (filter === null || typeof filter !== "object")
    throw invalidArgument([{ field: "filter", description: "must be an object" }]);
  const record = filter as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN.has(key))
      throw invalidArgument([{ field: `filter.${key}`, description: "is not a known audit filter" }]);
    if (record[key] !== undefined && typeof record[key] !== "string")
      throw invalidArgument([{ field: `filter.${key}`, description: "must be a string" }]);
  }
  if (filter.outcome !== undefined && filter.outcome !== "SUCCESS" && filter.outcome !== "FAILURE")
    throw invalidArgument([
      {
        field: "filter.outcome",
        description: `must be "SUCCESS" or "FAILURE" (got ${JSON.stringify(filter.outcome)})`,
      },
    ]);
  for (const key of TIME_KEYS)
    if (record[key] !== undefined) parseOrThrow(Timestamp, record[key], undefined, ["filter", key]);
  return filter;
}

const SCOPE = "AuditEntry";

/**
 * SqlAuditRepository is the append-only audit log in `audit_log`: the entry as JSONB plus the
 * columns it is filtered and ordered by. The change-log triggers also store the entries of
 * audited calls there, with their changes (see attributionSource).
 */
export class SqlAuditRepository implements AuditRepository {
  constructor(private readonly ctx: RepoContext) {}

  async append(entry: AuditEntry): Promise<AuditEntry> {
    const e = parseOrThrow(AuditEntry, entry, "AuditEntry");
    try {
      const res = await this.ctx.db.query(
        "INSERT INTO audit_log (id, at, username, action, project_id, resource_kind, resource_id, outcome, entry) " +
          "VALUES ($1::text, $2::timestamptz, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text::jsonb) " +
          "ON CONFLICT DO NOTHING",
        [
          e.id,
          e.at,
          e.actor.username,
          e.action,
          e.projectId ?? null,
          e.resource?.kind ?? null,
          e.resource?.id ?? null,
          e.outcome,
          JSON.stringify(e),
        ],
      );
      if (res.rowCount === 0)
        throw new DomainError(
          ErrorCode.AlreadyExists,
          `audit entry ${e.id} already exists: entries are never replaced`,
          {
            resource: { kind: SCOPE, id: e.id },
          },
        );
      return e;
    } catch (error) {
      throw isDomainError(error) ? error : classifyDbError(error, "audit append");
    }
  }

  private where(filter: AuditFilter | undefined, params: SqlParams): string[] {
    const f = checkFilter(filter);
    const out: string[] = [];
    const eq = (column: string, value: string | undefined) => {
      if (value !== undefined) out.push(`${column} = ${params.add(value, "::text")}`);
    };
    eq("username", f.username);
    eq("action", f.action);
    eq("project_id", f.projectId);
    eq("resource_kind", f.resourceKind);
    eq("resource_id", f.resourceId);
    eq("outcome", f.outcome);
    if (f.since !== undefined) out.push(`at >= ${params.add(f.since, "::timestamptz")}`);
    if (f.until !== undefined) out.push(`at < ${params.add(f.until, "::timestamptz")}`);
    return out;
  }

  async list(filter?: AuditFilter, page?: PageRequest): Promise<Page<AuditEntry>> {
    const limit = pageLimit(page);
    const params = new SqlParams();
    const conditions = this.where(filter, params);
    const pageConditions = [...conditions];
    if (page?.cursor) {
      const pos = decodeCursor(page.cursor, SCOPE);
      pageConditions.push(
        `(at, id) < (${params.add(pos.key, "::timestamptz")}, ${params.add(pos.id, "::text")})`,
      );
    }
    const sql =
      `SELECT c.total AS __total, p.id, p.entry FROM (SELECT count(*)::int AS total FROM audit_log${whereClause(conditions)}) c ` +
      `LEFT JOIN LATERAL (SELECT id, at, entry FROM audit_log${whereClause(pageConditions)} ORDER BY at DESC, id DESC LIMIT ${limit + 1}) p ON true ` +
      "ORDER BY p.at DESC, p.id DESC";
    try {
      const res = await this.ctx.db.query<{ __total: number; id: string | null; entry: AuditEntry | null }>(
        sql,
        params.values,
      );
      const total = Number(res.rows[0]?.__total ?? 0);
      const rows = res.rows.filter((r) => r.id !== null);
      const items = rows.slice(0, limit).map((r) => r.entry as AuditEntry);
      const last = items.at(-1);
      if (rows.length > limit && last)
        return { items, total, nextCursor: encodeCursor({ scope: SCOPE, key: last.at, id: last.id }) };
      return { items, total };
    } catch (error) {
      throw isDomainError(error) ? error : classifyDbError(error, "audit list");
    }
  }

  async prune(before: string): Promise<number> {
    const cutoff = parseOrThrow(Timestamp, before, "audit prune", ["before"]);
    try {
      const res = await this.ctx.db.query("DELETE FROM audit_log WHERE at < $1::timestamptz", [cutoff]);
      return res.rowCount;
    } catch (error) {
      throw isDomainError(error) ? error : classifyDbError(error, "audit prune");
    }
  }

  async count(filter?: AuditFilter): Promise<number> {
    const params = new SqlParams();
    const conditions = this.where(filter, params);
    try {
      const res = await this.ctx.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_log${whereClause(conditions)}`,
        params.values,
      );
      return Number(res.rows[0]?.n ?? 0);
    } catch (error) {
      throw isDomainError(error) ? error : classifyDbError(error, "audit count");
    }
  }
}
