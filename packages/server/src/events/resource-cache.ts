import type { ChangeLogEntry, Node, Repositories, Resource, VirtualMachine } from "@limiquantix/domain";
import { allItems } from "../shared/each-item";
import type { ChangeListener, ChangeRelay } from "./change-relay";

type CachedKind = "VirtualMachine" | "Node";

/**
 * ResourceCache is this replica's copy of the VMs and nodes as of the relay's revision, kept by
 * following the change log. Reads served from it first wait until the relay has caught up with the
 * log's head (one cheap read of the head), so they see every write committed before them, on any
 * replica: consistent reads without decoding a row, as Kubernetes serves them from its watch
 * cache. Nothing uncommitted ever enters it (unlike the placement snapshot, which holds
 * reservations).
 */
export class ResourceCache implements ChangeListener {
  private readonly objects: Record<CachedKind, Map<string, Resource>> = {
    VirtualMachine: new Map(),
    Node: new Map(),
  };

  constructor(
    private readonly relay: Pick<ChangeRelay, "caughtUp">,
    private readonly repos: Repositories,
    /** How long a read waits for the relay before it asks the store instead (default 1 s). */
    private readonly maxWaitMs = 1000,
  ) {}

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
    for (const vm of vms) this.objects.VirtualMachine.set(vm.id, vm);
    for (const node of nodes) this.objects.Node.set(node.id, node);
  }

  change(entry: ChangeLogEntry): void {
    if (entry.kind !== "VirtualMachine" && entry.kind !== "Node") return;
    const map = this.objects[entry.kind];
    const have = map.get(entry.id);
    if (entry.type === "DELETED") {
      if (!have || have.resourceVersion <= entry.object.resourceVersion) map.delete(entry.id);
      return;
    }
    if (!have || have.resourceVersion <= entry.object.resourceVersion) map.set(entry.id, entry.object);
  }

  async reset(): Promise<void> {
    const [vms, nodes] = await Promise.all([allItems(this.repos.vms, {}), allItems(this.repos.nodes, {})]);
    this.objects.VirtualMachine.clear();
    this.objects.Node.clear();
    this.seed(vms, nodes);
  }

  /** vm returns the VM as of every write committed before the call, or NotFound. */
  async vm(id: string): Promise<VirtualMachine> {
    const cached = (await this.fresh())
      ? (this.objects.VirtualMachine.get(id) as VirtualMachine | undefined)
      : undefined;
    return cached ?? this.repos.vms.get(id);
  }

  /** node returns the node as of every write committed before the call, or NotFound. */
  async node(id: string): Promise<Node> {
    const cached = (await this.fresh()) ? (this.objects.Node.get(id) as Node | undefined) : undefined;
    return cached ?? this.repos.nodes.get(id);
  }
}
