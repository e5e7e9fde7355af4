import type { ChangeLogEntry, ListSource, Resource } from "@limiquantix/domain";

/** COUNTED_FILTERS is how many filters' totals a copy keeps up to date (the most recently used). */
const COUNTED_FILTERS = 32;

interface Counted<T> {
  readonly matches: (resource: T) => boolean;
  n: number;
}

/**
 * KindCopy holds one kind's resources by id and in ascending id order (the order every
 * repository lists in), keeping the newest version of each: a change older than the one held is
 * ignored, so a change relayed again after a reload changes nothing. As a ListSource it starts a
 * page at its cursor by binary search, and keeps the totals of the filters lately listed up to
 * date with every change, so paging through a large list does not test every resource per page.
 */
export class KindCopy<T extends Resource> implements ListSource<T> {
  private readonly byId = new Map<string, T>();
  /** Every resource held, sorted by id (ids are ASCII, so this is the store's byte order). */
  private sorted: T[] = [];
  /** The totals kept up to date, by filter key, least recently used first. */
  private readonly counted = new Map<string, Counted<T>>();

  get size(): number {
    return this.sorted.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  *after(id: string | undefined): Iterable<T> {
    const sorted = this.sorted;
    let at = id === undefined ? 0 : this.indexOf(id);
    if (id !== undefined && sorted[at]?.id === id) at++;
    for (; at < sorted.length; at++) yield sorted[at]!;
  }

  count(matches: (resource: T) => boolean, key: string): number {
    const have = this.counted.get(key);
    if (have) {
      this.counted.delete(key);
      this.counted.set(key, have);
      return have.n;
    }
    let n = 0;
    for (const r of this.sorted) if (matches(r)) n++;
    this.counted.set(key, { matches, n });
    if (this.counted.size > COUNTED_FILTERS) this.counted.delete(this.counted.keys().next().value!);
    return n;
  }

  /** load replaces everything held with these resources (in any order). */
  load(resources: readonly T[]): void {
    this.byId.clear();
    this.counted.clear();
    for (const r of resources) {
      const have = this.byId.get(r.id);
      if (!have || have.resourceVersion <= r.resourceVersion) this.byId.set(r.id, r);
    }
    this.sorted = [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** put stores a resource unless a newer version of it is held. */
  put(resource: T): void {
    const have = this.byId.get(resource.id);
    if (have && have.resourceVersion > resource.resourceVersion) return;
    this.recount(have, resource);
    this.byId.set(resource.id, resource);
    const at = this.indexOf(resource.id);
    if (have) this.sorted[at] = resource;
    else this.sorted.splice(at, 0, resource);
  }

  /** remove drops a resource deleted at `version`, unless a newer version of it is held. */
  remove(id: string, version: number): void {
    const have = this.byId.get(id);
    if (!have || have.resourceVersion > version) return;
    this.recount(have, undefined);
    this.byId.delete(id);
    this.sorted.splice(this.indexOf(id), 1);
  }

  /** apply applies one change of this kind from the log. */
  apply(entry: ChangeLogEntry): void {
    if (entry.type === "DELETED") this.remove(entry.id, entry.object.resourceVersion);
    else this.put(entry.object as unknown as T);
  }

  /** recount moves the kept totals from a resource as it was to as it is (undefined: absent). */
  private recount(was: T | undefined, is: T | undefined): void {
    for (const c of this.counted.values())
      c.n += (is !== undefined && c.matches(is) ? 1 : 0) - (was !== undefined && c.matches(was) ? 1 : 0);
  }

  /** indexOf is where `id` sits in, or would be inserted into, the sorted resources. */
  private indexOf(id: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]!.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
