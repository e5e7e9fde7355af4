import {
  conflict,
  decodeCursor,
  encodeCursor,
  getPath,
  invalidArgument,
  isDomainError,
  type ListFilter,
  type NamedRepository,
  normalizeFilter,
  notFound,
  type Page,
  type PageRequest,
  pageLimit,
  prepareCreate,
  prepareUpdate,
  RESOURCES,
  type Resource,
  type ResourceDescriptor,
} from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import type { SqlExecutor, SqlRow } from "../sql/executor";
import { attributionSource } from "./call-attribution";
import { filterSql, SqlParams, whereClause } from "./filter-sql";
import { type RepoContext, WrittenRow } from "./repo-context";
import { decodeRow, encodeRow } from "./row-codec";
import { duplicateError, type From, insertStatement, updateStatement } from "./row-statements";
import type { Column, TableMap } from "./table-map";
import { writeError } from "./write-errors";

const MAX_MODIFY_ATTEMPTS = 10;
/** SCAN_PAGE is how many rows one statement of `each` reads. */
const SCAN_PAGE = 5000;

/**
 * SqlRepository stores one resource kind in its table, generically from the kind's descriptor
 * and table map; kinds with extra queries extend it. Reads inside a unit of work lock their rows.
 * The table's triggers log every write in the change log and set resource_version to the
 * change's revision, which the writes read back (RETURNING); each write statement also hands
 * the triggers the current call's attribution.
 */
export class SqlRepository<T extends Resource, I = unknown, S extends string = string>
  implements NamedRepository<T, I, S>
{
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

  /** encodeOverrides replaces field values before they are written (a kind keeping part of a field elsewhere). */
  protected encodeOverrides(_entity: T): Record<string, unknown> {
    return {};
  }

  /** afterWrite stores what a kind keeps outside its row, in the same transaction as the row. */
  protected async afterWrite(_db: SqlExecutor, _entity: T): Promise<void> {}

  /** writesOutsideRow says whether afterWrite does anything, so writes need a transaction. */
  protected get writesOutsideRow(): boolean {
    return false;
  }

  protected now(): string {
    return this.ctx.clock.now().toISOString();
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
  private async selectRow(
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

  private decodeOne(row: SqlRow | WrittenRow): T {
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

  private heldKey(id: string): string {
    return `${this.map.table}\u0000${id}`;
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

  /** guardWrite runs a write, turning driver errors into DomainErrors that name the key or reference. */
  protected async guardWrite<R>(resource: object, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      if (isDomainError(error)) throw error;
      throw writeError(this.map, error, resource as Record<string, unknown>, (fields) =>
        fields.map((f) => getPath(resource, f)),
      );
    }
  }

  protected write<R>(fn: (db: SqlExecutor) => Promise<R>): Promise<R> {
    return this.writesOutsideRow ? this.ctx.atomic(fn) : fn(this.ctx.db);
  }

  async create(input: I): Promise<T> {
    const entity = prepareCreate(this.descriptor, input, this.now());
    const params = new SqlParams();
    const insert = this.insertSql(params, entity, attributionSource);
    const version = await this.guardWrite(entity, () =>
      this.write(async (db) => {
        const res = await db.query<{ resource_version: string | number }>(insert, params.values);
        const row = res.rows[0];
        if (!row) return undefined;
        const stored = { ...entity, resourceVersion: Number(row.resource_version) };
        await this.afterWrite(db, stored);
        return stored.resourceVersion;
      }),
    );
    if (version === undefined) throw await this.duplicateOf(entity);
    this.ctx.committedChange?.();
    return { ...entity, resourceVersion: version };
  }

  /** insertSql is the statement inserting `entity` (see insertStatement), for this package's statements that write several kinds. */
  insertSql(params: SqlParams, entity: T, from: From): string {
    return insertStatement(this.map, params, encodeRow(this.map, entity, this.encodeOverrides(entity)), from);
  }

  /** updateSql is the statement replacing `next` if its version is still `expected` (see updateStatement). */
  updateSql(params: SqlParams, next: T, expected: number, from: From): string {
    return updateStatement(
      this.map,
      params,
      encodeRow(this.map, next, this.encodeOverrides(next)),
      expected,
      from,
    );
  }

  /** wrote finishes a write made by a statement of several kinds: what the kind keeps outside its row, and the row held as written. */
  async wrote(db: SqlExecutor, stored: T): Promise<void> {
    await this.afterWrite(db, stored);
    if (db === this.ctx.db) this.ctx.held?.set(this.heldKey(stored.id), new WrittenRow(stored));
  }

  /** heldVersion is the version of a row this unit of work read or wrote, if it holds one. */
  heldVersion(id: string): number | undefined {
    const held = this.ctx.held?.get(this.heldKey(id));
    return held ? this.decodeOne(held).resourceVersion : undefined;
  }

  /** missedWrite is the error of a write that found no row at version `expected`: NotFound or Conflict. */
  async missedWrite(id: string, expected: number, db: SqlExecutor = this.ctx.db): Promise<Error> {
    const now = await this.guard(() => this.read(id, db));
    return now ? conflict(this.kind, id, expected, now.resourceVersion) : notFound(this.kind, id);
  }

  /** duplicateOf is the error of an insert that a taken id or unique key kept out. */
  duplicateOf(entity: T): Promise<Error> {
    return this.guard(() => duplicateError(this.map, this.ctx.db, entity));
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

  async update(next: T): Promise<T> {
    if (next === null || typeof next !== "object" || typeof (next as { id?: unknown }).id !== "string")
      throw invalidArgument(
        [{ field: "id", description: "is required: pass the whole resource as last read" }],
        this.kind,
      );
    const stored = await this.guardWrite(next, () =>
      this.write(async (db) => {
        const current = await this.read(next.id, db);
        if (!current) throw notFound(this.kind, next.id);
        if (next.resourceVersion !== current.resourceVersion)
          throw conflict(this.kind, next.id, next.resourceVersion, current.resourceVersion);
        return this.writeRow(
          db,
          prepareUpdate(this.descriptor, next, current, this.now()),
          current.resourceVersion,
        );
      }),
    );
    this.ctx.committedChange?.();
    return stored;
  }

  /**
   * writeRow replaces a stored row if its version is still `expected`, else fails with NotFound
   * or Conflict; it returns the resource as stored, with the revision of the change as its version.
   */
  protected async writeRow(db: SqlExecutor, next: T, expected: number): Promise<T> {
    this.forgetHeld(next.id);
    const params = new SqlParams();
    const update = this.updateSql(params, next, expected, attributionSource);
    const res = await db.query<{ resource_version: string | number }>(update, params.values);
    const row = res.rows[0];
    if (!row) throw await this.missedWrite(next.id, expected, db);
    const stored = { ...next, resourceVersion: Number(row.resource_version) };
    // The row stays locked by this unit of work: reading it again needs no statement.
    await this.wrote(db, stored);
    return stored;
  }

  /**
   * prepareReplace checks and completes `next` to replace `current`, the resource as last read or
   * written: a row this unit of work holds at another version is a Conflict without a statement.
   */
  prepareReplace(current: T, next: T): T {
    const held = this.heldVersion(current.id);
    if (held !== undefined && held !== current.resourceVersion)
      throw conflict(this.kind, current.id, current.resourceVersion, held);
    return prepareUpdate(this.descriptor, { ...next, id: current.id }, current, this.now());
  }

  /**
   * replace stores `next` in place of `current`, the resource as last read or written, without
   * reading it again: only if `current.resourceVersion` is still the stored one (Conflict
   * otherwise, NotFound when it is gone). A row this unit of work holds answers for the stored
   * version without a statement.
   */
  protected async replace(current: T, next: T): Promise<T> {
    const prepared = this.prepareReplace(current, next);
    const stored = await this.guardWrite(prepared, () =>
      this.write((db) => this.writeRow(db, prepared, current.resourceVersion)),
    );
    this.ctx.committedChange?.();
    return stored;
  }

  /**
   * modify applies a change to the current state of a resource and stores it; without an
   * expected version it re-reads and retries when a concurrent write got in first.
   */
  protected async modify(id: string, change: (current: T) => T, expectedVersion?: number): Promise<T> {
    if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || expectedVersion < 1))
      throw invalidArgument([
        { field: "expectedVersion", description: `must be a positive integer (got ${expectedVersion})` },
      ]);
    for (let attempt = 1; ; attempt++) {
      const current = await this.guard(() => this.read(id));
      if (!current) throw notFound(this.kind, String(id));
      if (expectedVersion !== undefined && current.resourceVersion !== expectedVersion)
        throw conflict(this.kind, id, expectedVersion, current.resourceVersion);
      const next = prepareUpdate(this.descriptor, change(current), current, this.now());
      try {
        const stored = await this.guardWrite(next, () =>
          this.write((db) => this.writeRow(db, next, current.resourceVersion)),
        );
        this.ctx.committedChange?.();
        return stored;
      } catch (error) {
        const retry = expectedVersion === undefined && attempt < MAX_MODIFY_ATTEMPTS;
        if (!(retry && isDomainError(error) && error.code === "Conflict")) throw error;
      }
    }
  }

  async delete(id: string, expectedVersion?: number): Promise<void> {
    if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || expectedVersion < 1))
      throw invalidArgument([
        { field: "expectedVersion", description: `must be a positive integer (got ${expectedVersion})` },
      ]);
    await this.guardWrite({ id }, async () => {
      this.forgetHeld(id);
      const params = new SqlParams();
      const where = [`t.id = ${params.add(id, "::text")}`];
      if (expectedVersion !== undefined)
        where.push(`t.resource_version = ${params.add(expectedVersion, "::bigint")}`);
      const from = attributionSource(params);
      const res = await this.ctx.db.query(
        `DELETE FROM ${this.map.table} AS t USING ${from}${whereClause(where)}`,
        params.values,
      );
      if (res.rowCount > 0) {
        this.ctx.committedChange?.();
        return;
      }
      const current = await this.read(id);
      if (!current) throw notFound(this.kind, String(id));
      throw conflict(this.kind, id, expectedVersion ?? current.resourceVersion, current.resourceVersion);
    });
  }
}
