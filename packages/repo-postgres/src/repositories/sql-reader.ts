import {
  decodeCursor,
  encodeCursor,
  isDomainError,
  type ListFilter,
  normalizeFilter,
  notFound,
  type Page,
  type PageRequest,
  pageLimit,
  RESOURCES,
  type Resource,
  type ResourceDescriptor,
} from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import type { SqlExecutor, SqlRow } from "../sql/executor";
import { filterSql, SqlParams, whereClause } from "./filter-sql";
import { heldKey } from "./held-reads";
import { type RepoContext, WrittenRow } from "./repo-context";
import { decodeRow } from "./row-codec";
import type { Column, TableMap } from "./table-map";

/** SCAN_PAGE is how many rows one statement of `each` reads. */
const SCAN_PAGE = 5000;

/**
 * SqlReader reads one resource kind from its table, generically from the kind's descriptor and
 * table map: one row, a page, a scan or a count. Reads inside a unit of work lock their rows and
 * the work holds what it read, so reading a row again needs no statement until the work writes it.
 */
export class SqlReader<T extends Resource, S extends string = string> {
  readonly kind: ResourceDescriptor<T>["kind"];
  protected readonly descriptor: ResourceDescriptor<T>;
  protected readonly cols: string;

  constructor(
    protected readonly map: TableMap,
    protected readonly ctx: RepoContext,
  ) {
    this.descriptor = RESOURCES[map.kind] as unknown as ResourceDescriptor<T>;
    this.kind = map.kind;
    // With a doc column a read returns the stored document; else every column, decoded.
    this.cols = map.doc
      ? "t.doc AS doc"
      : map.columns.map((c) => `${this.selectExpr(c)} AS ${c.column}`).join(", ");
  }

  /** selectExpr is how a column is read; a kind that keeps part of a field elsewhere overrides it. */
  protected selectExpr(col: Column): string {
    return `t.${col.column}`;
  }

  protected lock(): string {
    return this.ctx.lockReads ? " FOR UPDATE OF t" : "";
  }

  protected async selectOne(
    where: string,
    params: readonly unknown[],
    db = this.ctx.db,
  ): Promise<T | undefined> {
    const row = await this.selectRow(where, params, db);
    return row ? this.decodeOne(row) : undefined;
  }

  /** selectRow returns the first row matching `where` as stored (locked inside a unit of work). */
  protected async selectRow(
    where: string,
    params: readonly unknown[],
    db: SqlExecutor,
  ): Promise<SqlRow | undefined> {
    const res = await db.query(
      `SELECT ${this.cols} FROM ${this.map.table} t WHERE ${where} LIMIT 1${this.lock()}`,
      params,
    );
    return res.rows[0];
  }

  /** selectMany returns every row matching `where` (a WHERE clause or empty), in id order. */
  protected async selectMany(where: string, params: readonly unknown[]): Promise<T[]> {
    const res = await this.ctx.db.query(
      `SELECT ${this.cols} FROM ${this.map.table} t${where} ORDER BY t.id`,
      params,
    );
    return res.rows.map((row) => this.decodeOne(row));
  }

  protected decodeOne(row: SqlRow | WrittenRow): T {
    if (row instanceof WrittenRow) return row.resource as T;
    return this.map.doc ? (JSON.parse(String(row.doc)) as T) : decodeRow<T>(this.map, row);
  }

  protected async read(id: unknown, db = this.ctx.db): Promise<T | undefined> {
    if (typeof id !== "string") return undefined;
    const held = this.ctx.held;
    if (!held || db !== this.ctx.db) return this.selectOne("t.id = $1::text", [id], db);
    // Inside a unit of work the row read is locked until it ends: a second read of it (a
    // read-modify-write after a check) needs no statement until the work writes the row.
    const key = this.heldKey(id);
    let row = held.get(key);
    if (!row) {
      row = await this.selectRow("t.id = $1::text", [id], db);
      if (row) held.set(key, row);
    }
    return row ? this.decodeOne(row) : undefined;
  }

  protected heldKey(id: string): string {
    return heldKey(this.map.table, id);
  }

  /** forgetHeld drops a row this unit of work changed from what it holds as read. */
  forgetHeld(id: string): void {
    this.ctx.held?.delete(this.heldKey(id));
  }

  /** guard runs a read, turning driver errors into DomainErrors. */
  protected async guard<R>(fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw isDomainError(error) ? error : classifyDbError(error, `${this.kind} read`);
    }
  }

  async get(id: string): Promise<T> {
    const found = await this.find(id);
    if (!found) throw notFound(this.kind, String(id));
    return found;
  }

  find(id: string): Promise<T | undefined> {
    return this.guard(() => this.read(id));
  }

  findByName(name: string, projectId?: string): Promise<T | undefined> {
    const column = this.map.nameColumn;
    if (!column || typeof name !== "string") return Promise.resolve(undefined);
    const scoped = this.descriptor.projectScoped && projectId !== undefined;
    const where = scoped ? `t.${column} = $1::text AND t.project_id = $2::text` : `t.${column} = $1::text`;
    const params = scoped ? [name, projectId] : [name];
    return this.guard(async () => {
      const res = await this.ctx.db.query(
        `SELECT ${this.cols} FROM ${this.map.table} t WHERE ${where} ORDER BY t.id LIMIT 1${this.lock()}`,
        params,
      );
      return res.rows[0] ? this.decodeOne(res.rows[0]) : undefined;
    });
  }

  async list(filter?: ListFilter<S>, page?: PageRequest): Promise<Page<T>> {
    const normalized = normalizeFilter(this.descriptor, filter);
    const limit = pageLimit(page);
    const after = page?.cursor ? decodeCursor(page.cursor, this.kind).id : undefined;
    const params = new SqlParams();
    const conditions = filterSql(this.map, normalized, params);
    const filterParams = [...params.values];
    const pageConditions =
      after === undefined ? conditions : [...conditions, `t.id > ${params.add(after, "::text")}`];
    // The page after the cursor (keyset on id), one row more than asked to tell whether more
    // follow. Rows of stored documents decode faster than one aggregated array, and a first
    // page that holds every match is its own total, so the count runs only when there is more.
    const sql =
      `SELECT ${this.cols} FROM ${this.map.table} t${whereClause(pageConditions)} ` +
      `ORDER BY t.id LIMIT ${params.add(limit + 1, "::int")}`;
    const res = await this.guard(() => this.ctx.db.query(sql, params.values));
    const rows = res.rows.map((row) => this.decodeOne(row));
    const items = rows.slice(0, limit);
    const more = rows.length > limit;
    let total = items.length;
    if (after !== undefined || more) {
      // A second statement: a row deleted in between must not leave a first page's total
      // below what the page itself shows.
      const counted = await this.countWhere(conditions, filterParams);
      total = after === undefined ? Math.max(counted, rows.length) : counted;
    }
    const last = items.at(-1);
    if (more && last)
      return { items, total, nextCursor: encodeCursor({ scope: this.kind, key: last.id, id: last.id }) };
    return { items, total };
  }

  /**
   * each yields every match in id order, SCAN_PAGE rows a statement (keyset on id, no count),
   * asking for the next page before the caller takes this one, so the database reads it meanwhile.
   */
  async *each(filter?: ListFilter<S>): AsyncGenerator<T> {
    for await (const page of this.eachPage(filter)) yield* page;
  }

  /**
   * eachPage yields every resource matching the filter in id order, SCAN_PAGE at a time, reading
   * the next page while the caller handles this one. A kind stored as documents reads a page as
   * one row (the page's documents joined into one JSON array, parsed at once): decoding a hundred
   * thousand rows one by one took about a third of the read.
   */
  async *eachPage(filter?: ListFilter<S>): AsyncGenerator<T[]> {
    const normalized = normalizeFilter(this.descriptor, filter);
    const pageAfter = (after: string | undefined) => {
      const params = new SqlParams();
      const conditions = filterSql(this.map, normalized, params);
      const where =
        after === undefined ? conditions : [...conditions, `t.id > ${params.add(after, "::text")}`];
      const read = this.guard(() => this.scanPage(whereClause(where), params.values));
      // A caller that stops early leaves the page read ahead unread; its failure is nobody's.
      read.catch(() => undefined);
      return read;
    };
    let next = pageAfter(undefined);
    for (;;) {
      const { items, last } = await next;
      if (items.length === SCAN_PAGE && last !== undefined) next = pageAfter(last);
      if (items.length > 0) yield items;
      if (items.length < SCAN_PAGE) return;
    }
  }

  /** scanPage reads up to SCAN_PAGE resources matching `where` in id order, and the last one's id. */
  private async scanPage(where: string, params: readonly unknown[]): Promise<{ items: T[]; last?: string }> {
    const page = `SELECT t.id AS lqx_scan_id, ${this.cols} FROM ${this.map.table} t${where} ORDER BY t.id LIMIT ${SCAN_PAGE}`;
    if (!this.map.doc) {
      const { rows } = await this.ctx.db.query(page, params);
      const last = rows.at(-1);
      return {
        items: rows.map((row) => this.decodeOne(row)),
        ...(last ? { last: String(last.lqx_scan_id) } : {}),
      };
    }
    const { rows } = await this.ctx.db.query<{ docs: string | null; last: string | null }>(
      `SELECT '[' || string_agg(p.doc, ',' ORDER BY p.lqx_scan_id) || ']' AS docs, max(p.lqx_scan_id) AS last FROM (${page}) p`,
      params,
    );
    const row = rows[0];
    if (!row?.docs || row.last === null) return { items: [] };
    return { items: JSON.parse(row.docs) as T[], last: String(row.last) };
  }

  async count(filter?: ListFilter<S>): Promise<number> {
    const params = new SqlParams();
    const conditions = filterSql(this.map, normalizeFilter(this.descriptor, filter), params);
    return this.countWhere(conditions, params.values);
  }

  private async countWhere(conditions: readonly string[], params: readonly unknown[]): Promise<number> {
    const res = await this.guard(() =>
      this.ctx.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${this.map.table} t${whereClause(conditions)}`,
        params,
      ),
    );
    return Number(res.rows[0]?.n ?? 0);
  }
}
