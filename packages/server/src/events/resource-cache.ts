import {
  type ChangeLogEntry,
  type ListFilter,
  listPage,
  type Node,
  type NodePhase,
  type Page,
  type PageRequest,
  type PowerState,
  RESOURCES,
  type Repositories,
  type Resource,
  type ResourceKind,
  type VirtualMachine,
} from "@limiquantix/domain";
import { allItems, type Listable } from "../shared/each-item";
import type { ChangeListener, ChangeRelay } from "./change-relay";
import { resolveProjectId, withProjectId } from "../shared/project-ref";
import { KindCopy } from "./kind-copy";
import { LazyKindCopy } from "./lazy-kind-copy";
import { ProjectCopy } from "./project-copy";

/** CachedReads serve one kind's get and list from a replica's copy (see ResourceCache.reads). */
export interface CachedReads<T extends Resource> {
  get(id: string): Promise<T>;
  list(filter?: ListFilter, page?: PageRequest): Promise<Page<T>>;
}

/** KindSource is what the cache reads a kind copied on first use from: its repository. */
type KindSource = Listable<Resource, ListFilter> & { get(id: string): Promise<Resource> };

/** LAZY_KINDS are the kinds copied on their first read, by the repository each is read from. */
const LAZY_KINDS = {
  Volume: (r: Repositories) => r.volumes as unknown as KindSource,
  VirtualNetwork: (r: Repositories) => r.networks as unknown as KindSource,
  StoragePool: (r: Repositories) => r.storagePools as unknown as KindSource,
  Image: (r: Repositories) => r.images as unknown as KindSource,
  Cluster: (r: Repositories) => r.clusters as unknown as KindSource,
} as const;
type LazyKind = keyof typeof LAZY_KINDS;

const isLazyKind = (kind: string): kind is LazyKind => Object.hasOwn(LAZY_KINDS, kind);

/**
 * ResourceCache is this replica's copy of the VMs and nodes as of the relay's revision, kept by
 * following the change log. Reads served from it first wait until the relay has caught up with the
 * log's head (one cheap read of the head), so they see every write committed before them, on any
 * replica: consistent reads without decoding a row, as Kubernetes serves them from its watch
 * cache. Lists are served from it too, paged exactly as the repositories page (the same filters,
 * order, totals and cursors, which either path understands). Nothing uncommitted ever enters it
 * (unlike the placement snapshot, which holds reservations). The volumes, networks, storage pools
 * images and clusters are copied the same way on their first read (`reads`), not at start-up.
 */
export class ResourceCache implements ChangeListener {
  private readonly copies = {
    VirtualMachine: new KindCopy<VirtualMachine>(),
    Node: new KindCopy<Node>(),
  };

  /** The projects, copied on the first list that names one (a filter names a project by id or name). */
  private readonly projects: ProjectCopy;
  private readonly lazy = new Map<LazyKind, LazyKindCopy<Resource>>();
  private readonly lazyReads = new Map<LazyKind, CachedReads<Resource>>();

  constructor(
    private readonly relay: Pick<ChangeRelay, "caughtUp">,
    private readonly repos: Repositories,
    /** How long a read waits for the relay before it asks the store instead (default 1 s). */
    private readonly maxWaitMs = 1000,
  ) {
    this.projects = new ProjectCopy(repos);
    for (const [kind, source] of Object.entries(LAZY_KINDS) as [LazyKind, (r: Repositories) => KindSource][])
      this.lazy.set(kind, new LazyKindCopy(() => allItems(source(repos), {})));
  }

  /**
   * fresh waits until the relay has caught up with the log's head, and says whether it did in
   * time: a relay held up (the store slow, the follower behind) must not hold up reads, which
   * then go to the store, the truth.
   */
  private async fresh(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.maxWaitMs);
    });
    try {
      return await Promise.race([this.relay.caughtUp().then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** seed fills the cache with what the store held at the revision the relay starts from. */
  seed(vms: readonly VirtualMachine[], nodes: readonly Node[]): void {
    this.copies.VirtualMachine.load(vms);
    this.copies.Node.load(nodes);
  }

  change(entry: ChangeLogEntry): void {
    if (entry.kind === "VirtualMachine" || entry.kind === "Node") this.copies[entry.kind].apply(entry);
    else if (entry.kind === "Project") this.projects.change(entry);
    else if (isLazyKind(entry.kind)) this.lazy.get(entry.kind)?.change(entry);
  }

  async reset(): Promise<void> {
    this.projects.reset();
    for (const copy of this.lazy.values()) copy.reset();
    const [vms, nodes] = await Promise.all([allItems(this.repos.vms, {}), allItems(this.repos.nodes, {})]);
    this.seed(vms, nodes);
  }

  /** vm returns the VM as of every write committed before the call, or NotFound. */
  async vm(id: string): Promise<VirtualMachine> {
    const cached = (await this.fresh()) ? this.copies.VirtualMachine.get(id) : undefined;
    return cached ?? this.repos.vms.get(id);
  }

  /** node returns the node as of every write committed before the call, or NotFound. */
  async node(id: string): Promise<Node> {
    const cached = (await this.fresh()) ? this.copies.Node.get(id) : undefined;
    return cached ?? this.repos.nodes.get(id);
  }

  /**
   * vms returns one page of VMs as `repos.vms.list` would, as of every write committed before the
   * call, with a project given by id or name (withProjectId), resolved from the copy of projects.
   */
  async vms(filter: ListFilter<PowerState> = {}, page?: PageRequest): Promise<Page<VirtualMachine>> {
    // The projects are copied on first use; the copy must hold them before it is caught up.
    const projects = filter.projectId ? await this.projects.ready().catch(() => undefined) : this.projects;
    if (!projects || !(await this.fresh()))
      return this.repos.vms.list(await withProjectId(this.repos, filter), page);
    const resolved = await withProjectId(projects, filter);
    return listPage(RESOURCES.VirtualMachine, this.copies.VirtualMachine, resolved, page);
  }

  /**
   * projectId resolves a project given by id or name as resolveProjectId does, from the copy of
   * the projects when it holds it (a write that goes on to use the project reads it again in its
   * transaction, the authority), else from the store: a project the copy has not seen yet (just
   * created through another replica) is found there.
   */
  async projectId(ref: string): Promise<string> {
    const projects = await this.projects.ready().catch(() => undefined);
    const found = projects
      ? ((await projects.projects.find(ref)) ?? (await projects.projects.findByName(ref)))
      : undefined;
    return found ? found.id : resolveProjectId(this.repos, ref);
  }

  /** nodes returns one page of nodes as `repos.nodes.list` would, as of every write committed before the call. */
  async nodes(filter?: ListFilter<NodePhase>, page?: PageRequest): Promise<Page<Node>> {
    if (!(await this.fresh())) return this.repos.nodes.list(filter, page);
    return listPage(RESOURCES.Node, this.copies.Node, filter, page);
  }

  /**
   * reads serves get and list of a kind copied on first use (volumes, networks, storage pools,
   * images) from this replica's copy, as of every write committed before the call, or is undefined
   * for another kind. A read the copy cannot serve in time (the store slow to load it, the relay
   * behind) goes to the store; so does a get of an id the copy does not hold.
   */
  reads<T extends Resource>(kind: ResourceKind): CachedReads<T> | undefined {
    if (!isLazyKind(kind)) return undefined;
    let reads = this.lazyReads.get(kind);
    if (!reads) {
      const lazy = this.lazy.get(kind)!;
      const repo = LAZY_KINDS[kind](this.repos);
      const copy = async () => {
        const held = await lazy.ready().catch(() => undefined);
        return held && (await this.fresh()) ? held : undefined;
      };
      reads = {
        get: async (id) => (await copy())?.get(id) ?? repo.get(id),
        list: async (filter = {}, page) => {
          const projects = filter.projectId
            ? await this.projects.ready().catch(() => undefined)
            : this.projects;
          const held = projects ? await copy() : undefined;
          if (!projects || !held) return repo.list(await withProjectId(this.repos, filter), page ?? {});
          return listPage(RESOURCES[kind], held, await withProjectId(projects, filter), page);
        },
      };
      this.lazyReads.set(kind, reads);
    }
    return reads as CachedReads<T>;
  }
}
