import type { LiveNode, NodeLeaseEvent } from "@limiquantix/domain";

/** QueueEntry is one claim on a lock or an election: the head of its queue holds it. */
export interface QueueEntry {
  /** The client that made the claim (released when that client closes). */
  readonly owner: object;
  /** The candidate value for an election; empty for a lock. */
  readonly value: string;
  /** Called once when the entry reaches the head of its queue, with its fencing token and signal. */
  readonly onGrant: (token: number, controller: AbortController) => void;
  granted?: { readonly token: number; readonly controller: AbortController };
}

/** NodeRecord is a registered node and the lease that keeps it. */
export interface NodeRecord {
  readonly owner: object;
  readonly metadata: Readonly<Record<string, string>>;
  readonly controller: AbortController;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A listener that throws must not break the coordinator or other listeners.
  }
}

/**
 * MemoryCoordinationBackend is the shared state several MemoryCoordinator clients use, the way
 * replicas share etcd: FIFO queues per lock and per election (the head holds it), one fencing
 * token counter that only grows, and the registry of live nodes.
 */
export class MemoryCoordinationBackend {
  private lastToken = 0;
  private readonly queues = new Map<string, QueueEntry[]>();
  private readonly observers = new Map<string, Set<(leader: string | undefined) => void>>();
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly watchers = new Set<(event: NodeLeaseEvent) => void>();

  /** head returns the entry holding a queue's lock or office. */
  head(key: string): QueueEntry | undefined {
    return this.queues.get(key)?.[0];
  }

  /** enqueue adds a claim; it is granted at once when the queue was empty. */
  enqueue(key: string, entry: QueueEntry): void {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
    }
    queue.push(entry);
    if (queue.length === 1) this.grant(key, entry);
  }

  /** remove withdraws a claim (a release, a resignation, a timeout); the next in line is granted. */
  remove(key: string, entry: QueueEntry): void {
    const queue = this.queues.get(key);
    const index = queue?.indexOf(entry) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    entry.granted?.controller.abort(new Error(`${key} released`));
    if (queue.length === 0) this.queues.delete(key);
    if (index !== 0) return;
    const next = queue[0];
    if (next) this.grant(key, next);
    else this.notify(key);
  }

  /** observe calls listener with the head's value now and whenever the head changes. */
  observe(key: string, listener: (leader: string | undefined) => void): () => void {
    let set = this.observers.get(key);
    if (!set) {
      set = new Set();
      this.observers.set(key, set);
    }
    set.add(listener);
    safely(() => listener(this.head(key)?.value));
    return () => {
      set.delete(listener);
      if (set.size === 0) this.observers.delete(key);
    };
  }

  /** register records a node as live and tells the watchers; a re-registration replaces the old lease. */
  register(nodeId: string, record: NodeRecord): void {
    const previous = this.nodes.get(nodeId);
    this.nodes.set(nodeId, record);
    previous?.controller.abort(new Error(`node ${nodeId} registered again`));
    this.emit({ type: "joined", nodeId, metadata: record.metadata });
  }

  /** unregister removes a node if `record` is still its lease, and tells the watchers. */
  unregister(nodeId: string, record?: NodeRecord): boolean {
    const current = this.nodes.get(nodeId);
    if (!current || (record && current !== record)) return false;
    this.nodes.delete(nodeId);
    current.controller.abort(new Error(`node ${nodeId} lease ended`));
    this.emit({ type: "left", nodeId, metadata: current.metadata });
    return true;
  }

  /** expireNode ends a node's lease as if it had not been renewed in time (for tests of node failure). */
  expireNode(nodeId: string): boolean {
    return this.unregister(nodeId);
  }

  /** liveNodes lists registered nodes in id order. */
  liveNodes(): LiveNode[] {
    return [...this.nodes.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([nodeId, r]) => ({ nodeId, metadata: { ...r.metadata } }));
  }

  /** records lists the node records an owner holds. */
  recordsOf(owner: object): [string, NodeRecord][] {
    return [...this.nodes.entries()].filter(([, r]) => r.owner === owner);
  }

  /** entriesOf lists the queue entries an owner holds or waits in. */
  entriesOf(owner: object): [string, QueueEntry][] {
    const out: [string, QueueEntry][] = [];
    for (const [key, queue] of this.queues) for (const e of queue) if (e.owner === owner) out.push([key, e]);
    return out;
  }

  /** watch calls listener on every join and leave until the returned function is called. */
  watch(listener: (event: NodeLeaseEvent) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  private grant(key: string, entry: QueueEntry): void {
    const controller = new AbortController();
    this.lastToken += 1;
    entry.granted = { token: this.lastToken, controller };
    entry.onGrant(this.lastToken, controller);
    this.notify(key);
  }

  private notify(key: string): void {
    const set = this.observers.get(key);
    if (!set) return;
    const leader = this.head(key)?.value;
    for (const listener of [...set]) safely(() => listener(leader));
  }

  private emit(event: NodeLeaseEvent): void {
    for (const listener of [...this.watchers]) safely(() => listener(event));
  }
}
