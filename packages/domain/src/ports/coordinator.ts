import { type Subscription, serviceIdentifier } from "./service-identifier";

/**
 * FencingToken orders grants of a lock or of leadership: a later grant always carries a larger
 * token, so a resource that remembers the largest token it has seen can refuse a stale holder.
 */
export type FencingToken = number;

/** LockHandle is a held lock. */
export interface LockHandle {
  readonly name: string;
  readonly token: FencingToken;
  /** Aborted when the lock is lost (its lease expired or the coordinator became unreachable). */
  readonly signal: AbortSignal;
  /** release gives the lock up; it is safe to call more than once. */
  release(): Promise<void>;
}

/** Leadership is held office in an election. */
export interface Leadership {
  readonly election: string;
  /** The value this candidate campaigned with (its replica id). */
  readonly candidate: string;
  readonly token: FencingToken;
  /** Aborted as soon as leadership is lost or in doubt; a leader must stop acting on it at once. */
  readonly signal: AbortSignal;
  /** resign gives office up so another candidate can be elected; it is safe to call more than once. */
  resign(): Promise<void>;
}

/** NodeLease keeps a node's liveness key alive until revoked or no longer renewed. */
export interface NodeLease {
  readonly nodeId: string;
  readonly ttlMs: number;
  /** Aborted when the lease is lost. */
  readonly signal: AbortSignal;
  /** revoke removes the node's liveness key at once. */
  revoke(): Promise<void>;
}

/** LiveNode is a node whose liveness lease is alive. */
export interface LiveNode {
  readonly nodeId: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** NodeLeaseEvent reports a node's lease appearing or going away (revoked or expired). */
export interface NodeLeaseEvent {
  readonly type: "joined" | "left";
  readonly nodeId: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** WaitOptions bound how long a call may wait. */
export interface WaitOptions {
  /** Give up when this signal aborts. */
  readonly signal?: AbortSignal;
  /** Give up after this many milliseconds with Unavailable. */
  readonly timeoutMs?: number;
}

/**
 * Coordinator offers what several control-plane replicas need to act as one: leader election,
 * mutual-exclusion locks with fencing tokens, and a registry of live nodes kept by leases.
 */
export interface Coordinator {
  /** campaign waits until this candidate leads the election and returns its office. */
  campaign(election: string, candidate: string, options?: WaitOptions): Promise<Leadership>;
  /** leader returns the current leader's candidate value, or undefined when there is none. */
  leader(election: string): Promise<string | undefined>;
  /** observe calls listener with the current leader now and on every change. */
  observe(election: string, listener: (leader: string | undefined) => void): Promise<Subscription>;
  /** lock waits until the named lock is held; a timeout fails with Unavailable. */
  lock(name: string, options?: WaitOptions): Promise<LockHandle>;
  /** tryLock takes the named lock if it is free at once, else returns undefined. */
  tryLock(name: string): Promise<LockHandle | undefined>;
  /** registerNode announces a node as alive for ttlMs, renewed automatically until revoked. */
  registerNode(
    nodeId: string,
    options: { ttlMs: number; metadata?: Record<string, string> },
  ): Promise<NodeLease>;
  /** liveNodes lists the nodes whose leases are alive. */
  liveNodes(): Promise<readonly LiveNode[]>;
  /** watchNodes reports nodes joining and leaving until unsubscribed. */
  watchNodes(listener: (event: NodeLeaseEvent) => void): Promise<Subscription>;
  /** close resigns, releases and revokes everything this coordinator holds. */
  close(): Promise<void>;
}
/** Coordinator is the service identifier of the Coordinator port. */
export const Coordinator = serviceIdentifier<Coordinator>("Coordinator");
