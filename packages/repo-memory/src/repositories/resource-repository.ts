import {
  alreadyExists,
  conflict,
  getPath,
  invalidArgument,
  type ListFilter,
  type ListSource,
  listPage,
  matchesFilter,
  type NamedRepository,
  type NormalizedFilter,
  normalizeFilter,
  notFound,
  type Page,
  type PageRequest,
  prepareCreate,
  prepareUpdate,
  type Resource,
  type ResourceDescriptor,
  type ResourceKind,
  uniqueKeyOf,
} from "@limiquantix/domain";
import type { StoreAccess } from "../store";
import type { Rows } from "../table";

/** copy hands out a private deep copy, so no caller can change a stored row in place. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

function scopeText(field: string, value: unknown): string {
  return `${field.replace(/Id$/, "")} ${String(value)}`;
}

/**
 * ResourceRepository stores one kind generically, driven by its descriptor: validation through
 * prepareCreate/prepareUpdate, uniqueness through the descriptor's unique keys, filters through
 * normalizeFilter/matchesFilter, and id-ordered keyset pagination. Every write records its
 * change in the store's change log, whose revision becomes the resource's resourceVersion.
 */
export class ResourceRepository<T extends Resource, I = unknown, S extends string = string>
  implements NamedRepository<T, I, S>
{
  readonly kind: ResourceKind;

  constructor(
    protected readonly descriptor: ResourceDescriptor<T>,
    protected readonly access: StoreAccess,
  ) {
    this.kind = descriptor.kind;
  }

  protected rows(): Rows<T> {
    return this.access.table<T>(this.kind);
  }

  async create(input: I): Promise<T> {
    const row = prepareCreate(this.descriptor, input, this.access.now());
    return this.access.write(() => {
      const rows = this.rows();
      if (rows.get(row.id)) throw alreadyExists(this.kind, row.id);
      this.checkUnique(rows, row);
      const stored = this.access.record(this.kind, "ADDED", row);
      rows.put(stored);
      return copy(stored);
    });
  }

  async get(id: string): Promise<T> {
    const row = this.rows().get(id);
    if (!row) throw notFound(this.kind, id);
    return copy(row);
  }

  async find(id: string): Promise<T | undefined> {
    const row = this.rows().get(id);
    return row ? copy(row) : undefined;
  }

  async findByName(name: string, projectId?: string): Promise<T | undefined> {
    const { nameField, projectScoped } = this.descriptor;
    const rows = this.rows();
    const fields = projectScoped && projectId !== undefined ? ["projectId", nameField] : [nameField];
    const index = this.descriptor.uniqueKeys.findIndex((k) => k.fields.join() === fields.join());
    if (index >= 0) {
      const values = projectScoped && projectId !== undefined ? [projectId, name] : [name];
      const id = rows.findUnique(index, JSON.stringify(values));
      const row = id === undefined ? undefined : rows.get(id);
      return row ? copy(row) : undefined;
    }
    for (const id of rows.ids()) {
      const row = rows.get(id)!;
      if (getPath(row, nameField) !== name) continue;
      if (projectScoped && projectId !== undefined && getPath(row, "projectId") !== projectId) continue;
      return copy(row);
    }
    return undefined;
  }

  async list(filter?: ListFilter<S>, page?: PageRequest): Promise<Page<T>> {
    const rows = this.rows();
    const source: ListSource<T> = {
      *after(id) {
        for (const at of rows.ids(id)) yield rows.get(at)!;
      },
      count(matches) {
        let n = 0;
        for (const at of rows.ids()) if (matches(rows.get(at)!)) n++;
        return n;
      },
    };
    return listPage(this.descriptor, source, filter, page, copy);
  }

  async count(filter?: ListFilter<S>): Promise<number> {
    const normalized = normalizeFilter(this.descriptor, filter);
    return this.countMatching(normalized);
  }

  async update(next: T): Promise<T> {
    const id = this.idOf(next);
    return this.mutate(id, next?.resourceVersion, () => next);
  }

  async delete(id: string, expectedVersion?: number): Promise<void> {
    await this.access.write(() => {
      const rows = this.rows();
      const current = rows.get(id);
      if (!current) throw notFound(this.kind, id);
      if (expectedVersion !== undefined && expectedVersion !== current.resourceVersion)
        throw conflict(this.kind, id, expectedVersion, current.resourceVersion);
      this.access.record(this.kind, "DELETED", current);
      rows.remove(id);
    });
  }

  /** scan returns copies of every row that satisfies a predicate, in id order. */
  protected scan(predicate: (row: T) => boolean): T[] {
    const rows = this.rows();
    const out: T[] = [];
    for (const id of rows.ids()) {
      const row = rows.get(id)!;
      if (predicate(row)) out.push(copy(row));
    }
    return out;
  }

  /** forEachRow visits every stored row (no copy: callers only read). */
  protected forEachRow(visit: (row: T) => void): void {
    const rows = this.rows();
    for (const id of rows.ids()) visit(rows.get(id)!);
  }

  /**
   * mutate replaces a stored row with what `change` derives from a copy of it, checking the
   * expected version (when given), validating, and keeping unique keys unique.
   */
  protected mutate(id: string, expectedVersion: number | undefined, change: (current: T) => T): Promise<T> {
    return this.access.write(() => {
      const rows = this.rows();
      const current = rows.get(id);
      if (!current) throw notFound(this.kind, id);
      if (expectedVersion !== undefined && expectedVersion !== current.resourceVersion)
        throw conflict(this.kind, id, expectedVersion, current.resourceVersion);
      const next = prepareUpdate(
        this.descriptor,
        { ...change(copy(current)), id },
        current,
        this.access.now(),
      );
      this.checkUnique(rows, next);
      const stored = this.access.record(this.kind, "MODIFIED", next);
      rows.put(stored);
      return copy(stored);
    });
  }

  private countMatching(filter: NormalizedFilter): number {
    let n = 0;
    this.forEachRow((row) => {
      if (matchesFilter(filter, row)) n++;
    });
    return n;
  }

  private idOf(next: T): string {
    const id: unknown = next !== null && typeof next === "object" ? next.id : undefined;
    if (typeof id !== "string" || id === "")
      throw invalidArgument([{ field: "id", description: "is required to update a resource" }], this.kind);
    const version: unknown = next.resourceVersion;
    if (typeof version !== "number")
      throw invalidArgument(
        [{ field: "resourceVersion", description: "is required: pass the resource as last read" }],
        this.kind,
      );
    return id;
  }

  private checkUnique(rows: Rows<T>, row: T): void {
    this.descriptor.uniqueKeys.forEach((unique, index) => {
      const key = uniqueKeyOf(unique.fields, row);
      if (key === undefined) return;
      const holder = rows.findUnique(index, key);
      if (holder === undefined || holder === row.id) return;
      const fields = unique.fields;
      const last = fields[fields.length - 1]!;
      const scope = fields.length > 1 ? scopeText(fields[0]!, getPath(row, fields[0]!)) : undefined;
      throw alreadyExists(this.kind, String(getPath(row, last)), scope);
    });
  }
}
