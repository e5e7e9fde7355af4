import type { NewResource, Resource } from "../common";
import type { ResourceKind } from "../resources";
import type { ListFilter } from "./list-filter";
import type { Page, PageRequest } from "./pagination";

/**
 * Repository stores one kind of resource. Every adapter behaves the same way (the conformance
 * suite checks it):
 * - `create` validates the input, assigns `createdAt`/`updatedAt` and, as `resourceVersion`, the
 *   revision of the change log entry the write appends; it refuses a duplicate id or unique key
 *   (name in its scope …) with AlreadyExists;
 * - `update` takes the whole resource as last read; a `resourceVersion` that is not the stored
 *   one fails with Conflict; success stores it with a new `updatedAt` and, as `resourceVersion`,
 *   the revision of its change (higher than any before it);
 * - a missing id is NotFound; invalid input is InvalidArgument and stores nothing;
 * - `list` orders by id, pages with an opaque cursor that is stable while rows are inserted, and
 *   reports the total that match the filter.
 */
export interface Repository<T extends Resource, I = NewResource<T>, S extends string = string> {
  /** kind names what the repository stores. */
  readonly kind: ResourceKind;
  /** create stores a new resource and returns it as stored. */
  create(input: I): Promise<T>;
  /** get returns the resource with this id, or throws NotFound. */
  get(id: string): Promise<T>;
  /** find returns the resource with this id, or undefined. */
  find(id: string): Promise<T | undefined>;
  /** list returns one page of the resources that match the filter. */
  list(filter?: ListFilter<S>, page?: PageRequest): Promise<Page<T>>;
  /** count returns how many resources match the filter. */
  count(filter?: ListFilter<S>): Promise<number>;
  /**
   * each, where an adapter offers it, yields every resource that matches the filter in id order,
   * in large pages and without counting: for reading a whole kind into memory (a replica's
   * placement snapshot and read copy at start-up). Without it, callers page through `list`.
   */
  each?(filter?: ListFilter<S>): AsyncIterable<T>;
  /**
   * eachPage, where an adapter offers it, yields what `each` yields a page at a time (in id order,
   * no page empty): a caller reading a whole kind handles each page synchronously instead of
   * awaiting every resource.
   */
  eachPage?(filter?: ListFilter<S>): AsyncIterable<readonly T[]>;
  /** update replaces a resource, checking its resourceVersion; it returns the stored result. */
  update(next: T): Promise<T>;
  /** delete removes a resource; with expectedVersion, only if that is still its resourceVersion (else Conflict). */
  delete(id: string, expectedVersion?: number): Promise<void>;
}

/** NamedRepository adds lookup by name within the resource's name scope (its project, or global). */
export interface NamedRepository<T extends Resource, I = NewResource<T>, S extends string = string>
  extends Repository<T, I, S> {
  /** findByName returns the resource with this name in the scope (projectId for project-scoped kinds), or undefined. */
  findByName(name: string, projectId?: string): Promise<T | undefined>;
}
