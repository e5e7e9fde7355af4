import {
  conflict,
  getPath,
  invalidArgument,
  isDomainError,
  type NamedRepository,
  notFound,
  prepareCreate,
  prepareUpdate,
  type Resource,
} from "@limiquantix/domain";
import type { SqlExecutor } from "../sql/executor";
import { attributionSource } from "./call-attribution";
import { SqlParams, whereClause } from "./filter-sql";
import { WrittenRow } from "./repo-context";
import { encodeRow } from "./row-codec";
import { duplicateError, type From, insertStatement, updateStatement } from "./row-statements";
import { SqlReader } from "./sql-reader";
import { writeError } from "./write-errors";

const MAX_MODIFY_ATTEMPTS = 10;

/**
 * SqlRepository stores one resource kind in its table (reads: SqlReader); kinds with extra
 * queries extend it. The table's triggers log every write in the change log and set
 * resource_version to the change's revision, which the writes read back (RETURNING); each write
 * statement also hands the triggers the current call's attribution.
 */
export class SqlRepository<T extends Resource, I = unknown, S extends string = string>
  extends SqlReader<T, S>
  implements NamedRepository<T, I, S>
{
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
