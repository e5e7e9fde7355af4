import {
  type Clock,
  type Coordinator,
  invalidArgument,
  type Leadership,
  type LiveNode,
  type LockHandle,
  type NodeLease,
  type NodeLeaseEvent,
  type Subscription,
  systemClock,
  unavailable,
  type WaitOptions,
} from "@limiquantix/domain";
import { scheduleOn } from "../manual-clock";
import { MemoryCoordinationBackend, type NodeRecord, type QueueEntry } from "./backend";

/** MemoryCoordinatorOptions configure a MemoryCoordinator. */
export interface MemoryCoordinatorOptions {
  /** The backend shared with other clients (replicas); a private one when absent. */
  readonly backend?: MemoryCoordinationBackend;
  /** The clock wait timeouts run on (a ManualClock lets tests drive them). */
  readonly clock?: Clock;
}

function checkName(field: string, value: unknown): void {
  if (typeof value !== "string" || value === "")
    throw invalidArgument([{ field, description: "must be a non-empty string" }]);
}

function checkTimeout(options: WaitOptions | undefined): void {
  const t = options?.timeoutMs;
  if (t !== undefined && !(Number.isFinite(t) && t >= 0))
    throw invalidArgument([{ field: "timeoutMs", description: `must be a non-negative number (got ${t})` }]);
}

/**
 * MemoryCoordinator is a single-process Coordinator: locks exclude in FIFO order, every grant
 * of a lock or of leadership carries a fencing token larger than any before it, resigning hands
 * office to the next candidate, and node leases live until revoked or the client closes (they
 * are renewed for as long as the process lives; `backend.expireNode` simulates a lost lease).
 * Several clients on one backend behave as several replicas.
 */
export class MemoryCoordinator implements Coordinator {
  readonly backend: MemoryCoordinationBackend;
  private readonly clock: Clock;
  private readonly pending = new Set<(error: Error) => void>();
  private readonly unsubscribers = new Set<() => void>();
  private closed = false;

  constructor(options: MemoryCoordinatorOptions = {}) {
    this.backend = options.backend ?? new MemoryCoordinationBackend();
    this.clock = options.clock ?? systemClock;
  }

  async campaign(election: string, candidate: string, options?: WaitOptions): Promise<Leadership> {
    checkName("election", election);
    checkName("candidate", candidate);
    const key = `election:${election}`;
    return this.wait(key, candidate, options, `leadership of "${election}"`, (entry, token, signal) => ({
      election,
      candidate,
      token,
      signal,
      resign: async () => this.backend.remove(key, entry),
    }));
  }

  async leader(election: string): Promise<string | undefined> {
    checkName("election", election);
    this.assertOpen();
    return this.backend.head(`election:${election}`)?.value;
  }

  async observe(election: string, listener: (leader: string | undefined) => void): Promise<Subscription> {
    checkName("election", election);
    this.assertOpen();
    return this.subscription(this.backend.observe(`election:${election}`, listener));
  }

  async lock(name: string, options?: WaitOptions): Promise<LockHandle> {
    checkName("name", name);
    const key = `lock:${name}`;
    return this.wait(key, "", options, `lock "${name}"`, (entry, token, signal) => ({
      name,
      token,
      signal,
      release: async () => this.backend.remove(key, entry),
    }));
  }

  async tryLock(name: string): Promise<LockHandle | undefined> {
    checkName("name", name);
    this.assertOpen();
    const key = `lock:${name}`;
    if (this.backend.head(key)) return undefined;
    return this.lock(name);
  }

  async registerNode(
    nodeId: string,
    options: { ttlMs: number; metadata?: Record<string, string> },
  ): Promise<NodeLease> {
    checkName("nodeId", nodeId);
    const ttlMs = options?.ttlMs;
    if (!Number.isInteger(ttlMs) || ttlMs < 1)
      throw invalidArgument([
        { field: "ttlMs", description: `must be a positive integer of milliseconds (got ${ttlMs})` },
      ]);
    const metadata = options.metadata ?? {};
    for (const [k, v] of Object.entries(metadata))
      if (typeof v !== "string")
        throw invalidArgument([{ field: `metadata.${k}`, description: "must be a string" }]);
    this.assertOpen();
    const record: NodeRecord = { owner: this, metadata: { ...metadata }, controller: new AbortController() };
    this.backend.register(nodeId, record);
    return {
      nodeId,
      ttlMs,
      signal: record.controller.signal,
      revoke: async () => {
        this.backend.unregister(nodeId, record);
      },
    };
  }

  async liveNodes(): Promise<readonly LiveNode[]> {
    this.assertOpen();
    return this.backend.liveNodes();
  }

  async watchNodes(listener: (event: NodeLeaseEvent) => void): Promise<Subscription> {
    this.assertOpen();
    return this.subscription(this.backend.watch(listener));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = unavailable("the coordinator was closed while waiting");
    for (const reject of [...this.pending]) reject(error);
    for (const off of [...this.unsubscribers]) off();
    for (const [key, entry] of this.backend.entriesOf(this)) this.backend.remove(key, entry);
    for (const [nodeId, record] of this.backend.recordsOf(this)) this.backend.unregister(nodeId, record);
  }

  /** wait queues a claim and resolves with its handle once granted, or fails on timeout, abort or close. */
  private wait<H>(
    key: string,
    value: string,
    options: WaitOptions | undefined,
    what: string,
    handle: (entry: QueueEntry, token: number, signal: AbortSignal) => H,
  ): Promise<H> {
    checkTimeout(options);
    this.assertOpen();
    if (options?.signal?.aborted) return Promise.reject(unavailable(`gave up waiting for ${what}: aborted`));
    return new Promise<H>((resolve, reject) => {
      let cancelTimer: (() => void) | undefined;
      const onAbort = () => fail(unavailable(`gave up waiting for ${what}: aborted`));
      const cleanup = () => {
        cancelTimer?.();
        options?.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(fail);
      };
      const fail = (error: Error) => {
        if (entry.granted) return;
        cleanup();
        this.backend.remove(key, entry);
        reject(error);
      };
      const entry: QueueEntry = {
        owner: this,
        value,
        onGrant: (token, controller) => {
          cleanup();
          resolve(handle(entry, token, controller.signal));
        },
      };
      this.pending.add(fail);
      options?.signal?.addEventListener("abort", onAbort, { once: true });
      if (options?.timeoutMs !== undefined) {
        const ms = options.timeoutMs;
        cancelTimer = scheduleOn(this.clock, ms, () =>
          fail(unavailable(`${what} was not granted within ${ms} ms`, { retryAfterMs: ms })),
        );
      }
      this.backend.enqueue(key, entry);
    });
  }

  private subscription(off: () => void): Subscription {
    this.unsubscribers.add(off);
    return {
      unsubscribe: async () => {
        off();
        this.unsubscribers.delete(off);
      },
    };
  }

  private assertOpen(): void {
    if (this.closed) throw unavailable("the coordinator is closed");
  }
}
