import type { Resource } from "@limiquantix/domain";

/**
 * KindCopy holds one kind's resources by id and in ascending id order (the order every
 * repository lists in), keeping the newest version of each: a change older than the one held is
 * ignored, so a change relayed again after a reload changes nothing.
 */
export class KindCopy<T extends Resource> {
  private readonly byId = new Map<string, T>();
  /** Every resource held, sorted by id (ids are ASCII, so this is the store's byte order). */
  private sorted: T[] = [];

  get size(): number {
    return this.sorted.length;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** inIdOrder yields every resource held in ascending id order. */
  inIdOrder(): Iterable<T> {
    return this.sorted;
  }

  /** load replaces everything held with these resources (in any order). */
  load(resources: readonly T[]): void {
    this.byId.clear();
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
    this.byId.set(resource.id, resource);
    const at = this.indexOf(resource.id);
    if (have) this.sorted[at] = resource;
    else this.sorted.splice(at, 0, resource);
  }

  /** remove drops a resource deleted at `version`, unless a newer version of it is held. */
  remove(id: string, version: number): void {
    const have = this.byId.get(id);
    if (!have || have.resourceVersion > version) return;
    this.byId.delete(id);
    this.sorted.splice(this.indexOf(id), 1);
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
