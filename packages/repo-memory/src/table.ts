import { uniqueKeyOf } from "@limiquantix/domain";

/** Row is anything stored by id. */
export interface Row {
  readonly id: string;
}

/** Rows is one kind's stored rows as a reader or writer sees them: by id, in id order, and by unique key. */
export interface Rows<T extends Row> {
  get(id: string): T | undefined;
  /** ids yields the ids in ascending order, starting after `after` when given. */
  ids(after?: string): Iterable<string>;
  /** findUnique returns the id of the row whose unique key number `index` has this value. */
  findUnique(index: number, key: string): string | undefined;
  put(row: T): void;
  remove(id: string): void;
}

function lowerBound(sorted: readonly string[], id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: string[], id: string): void {
  const at = lowerBound(sorted, id);
  if (sorted[at] !== id) sorted.splice(at, 0, id);
}

function removeSorted(sorted: string[], id: string): void {
  const at = lowerBound(sorted, id);
  if (sorted[at] === id) sorted.splice(at, 1);
}

function* from(sorted: readonly string[], after: string | undefined): Iterable<string> {
  let i = after === undefined ? 0 : lowerBound(sorted, after);
  if (after !== undefined && sorted[i] === after) i++;
  for (; i < sorted.length; i++) yield sorted[i]!;
}

/** BaseTable holds the committed rows of one kind, with a sorted id list and one index per unique key. */
export class BaseTable<T extends Row> implements Rows<T> {
  private readonly rows = new Map<string, T>();
  private readonly sorted: string[] = [];
  private readonly indexes: Map<string, string>[];

  constructor(readonly uniqueKeys: readonly (readonly string[])[]) {
    this.indexes = uniqueKeys.map(() => new Map());
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: string): T | undefined {
    return this.rows.get(id);
  }

  ids(after?: string): Iterable<string> {
    return from(this.sorted, after);
  }

  findUnique(index: number, key: string): string | undefined {
    return this.indexes[index]?.get(key);
  }

  put(row: T): void {
    const old = this.rows.get(row.id);
    if (old) this.unindex(old);
    else insertSorted(this.sorted, row.id);
    this.rows.set(row.id, row);
    this.uniqueKeys.forEach((fields, i) => {
      const key = uniqueKeyOf(fields, row);
      if (key !== undefined) this.indexes[i]!.set(key, row.id);
    });
  }

  remove(id: string): void {
    const old = this.rows.get(id);
    if (!old) return;
    this.unindex(old);
    this.rows.delete(id);
    removeSorted(this.sorted, id);
  }

  private unindex(row: T): void {
    this.uniqueKeys.forEach((fields, i) => {
      const key = uniqueKeyOf(fields, row);
      if (key !== undefined && this.indexes[i]!.get(key) === row.id) this.indexes[i]!.delete(key);
    });
  }
}

/**
 * OverlayTable is a unit of work's private view of a table: its own writes over the committed
 * rows, invisible to everyone else until `commit` applies them in one synchronous step.
 */
export class OverlayTable<T extends Row> implements Rows<T> {
  /** A row written by the work, or null for one it deleted. */
  private readonly changes = new Map<string, T | null>();
  /** Ids the work added that the base does not hold, sorted. */
  private readonly added: string[] = [];

  constructor(private readonly base: BaseTable<T>) {}

  get(id: string): T | undefined {
    if (this.changes.has(id)) return this.changes.get(id) ?? undefined;
    return this.base.get(id);
  }

  *ids(after?: string): Iterable<string> {
    const a = this.base.ids(after)[Symbol.iterator]();
    const b = from(this.added, after)[Symbol.iterator]();
    let x = a.next();
    let y = b.next();
    while (!x.done || !y.done) {
      if (!x.done && (y.done || x.value < y.value)) {
        if (this.changes.get(x.value) !== null) yield x.value;
        x = a.next();
      } else if (!y.done) {
        if (this.changes.get(y.value) !== null) yield y.value;
        y = b.next();
      }
    }
  }

  findUnique(index: number, key: string): string | undefined {
    const fields = this.base.uniqueKeys[index];
    if (!fields) return undefined;
    for (const [id, row] of this.changes) if (row && uniqueKeyOf(fields, row) === key) return id;
    const id = this.base.findUnique(index, key);
    return id !== undefined && !this.changes.has(id) ? id : undefined;
  }

  put(row: T): void {
    if (!this.base.get(row.id) && !this.changes.get(row.id)) insertSorted(this.added, row.id);
    this.changes.set(row.id, row);
  }

  remove(id: string): void {
    if (this.base.get(id)) this.changes.set(id, null);
    else {
      this.changes.delete(id);
      removeSorted(this.added, id);
    }
  }

  /** commit applies the work's writes to the base table. */
  commit(): void {
    for (const [id, row] of this.changes) {
      if (row === null) this.base.remove(id);
      else this.base.put(row);
    }
  }
}
