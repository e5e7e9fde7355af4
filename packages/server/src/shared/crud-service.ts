import type {
  ListFilter,
  NamedRepository,
  Page,
  PageRequest,
  Resource,
  ResourceKind,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { withProjectId } from "./project-ref";
import { readModifyWrite } from "./read-modify-write";
import type { ServiceDeps } from "./service-deps";

/**
 * CrudService is the create/read/update/delete path shared by every kind: ids from the id
 * port, validation by the repository, optimistic concurrency, and a change event per write.
 */
export class CrudService<T extends Resource, I extends { id: string }> {
  constructor(
    protected readonly deps: ServiceDeps,
    readonly kind: ResourceKind,
    protected readonly repo: NamedRepository<T, I>,
  ) {}

  /** create stores a new resource with a fresh id and announces it. */
  async create(_ctx: CallContext, input: Omit<I, "id">): Promise<T> {
    const created = await this.repo.create({ ...input, id: this.deps.ids.next() } as I);
    return created;
  }

  /** get returns a resource or throws NotFound (from the replica's copy where it keeps the kind). */
  get(_ctx: CallContext, id: string): Promise<T> {
    return this.deps.cache?.reads<T>(this.kind)?.get(id) ?? this.repo.get(id);
  }

  /** findByName returns the resource with this name in its scope, or undefined. */
  findByName(_ctx: CallContext, name: string, projectId?: string): Promise<T | undefined> {
    return this.repo.findByName(name, projectId);
  }

  /** list returns one page of resources matching the filter; its project may be given by id or by name. */
  async list(_ctx: CallContext, filter: ListFilter = {}, page?: PageRequest): Promise<Page<T>> {
    const cached = this.deps.cache?.reads<T>(this.kind);
    if (cached) return cached.list(filter, page);
    return this.repo.list(await withProjectId(this.deps.repos, filter), page);
  }

  /** update applies change to the stored resource (checking expectedVersion when given) and announces it. */
  async update(
    _ctx: CallContext,
    id: string,
    change: (current: T) => T | Promise<T>,
    expectedVersion?: number,
  ): Promise<T> {
    const updated = await readModifyWrite(this.repo, id, change, expectedVersion);
    return updated;
  }

  /** delete removes a resource (checking expectedVersion when given) and announces it. */
  async delete(_ctx: CallContext, id: string, expectedVersion?: number): Promise<T> {
    const current = await this.repo.get(id);
    await this.repo.delete(id, expectedVersion ?? current.resourceVersion);
    return current;
  }
}
