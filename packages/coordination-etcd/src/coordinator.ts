import {
  type Coordinator,
  type DomainError,
  type Leadership,
  type LiveNode,
  type LockHandle,
  type NodeLease,
  type NodeLeaseEvent,
  type Subscription,
  type WaitOptions,
  failedPrecondition,
  invalidArgument,
} from "@limiquantix/domain";
import type { Etcd3 } from "etcd3";
import { type EtcdConnectionOptions, DEFAULT_CALL_TIMEOUT_MS, openEtcd } from "./client";
import { classifyEtcdError } from "./errors";
import { HeldGrant } from "./held-grant";
import { firstCreated } from "./kv";
import { LeaseSession } from "./lease-session";
import { requireName, requirePrefix } from "./names";
import { NodeRegistry } from "./node-registry";
import { acquireInQueue } from "./queue-acquire";
import { enqueue } from "./recipe";
import { watchPrefix } from "./resumable-watch";

/** EtcdCoordinatorOptions configure the connection, the key layout and the lease timing. */
export interface EtcdCoordinatorOptions extends EtcdConnectionOptions {
  /** Elections live under `<electionPrefix><name>/` (default `lqx/elections/`). */
  readonly electionPrefix?: string;
  /** Locks live under `<lockPrefix><name>/` (default `lqx/locks/`). */
  readonly lockPrefix?: string;
  /** Node liveness keys are `<nodePrefix><nodeId>` (default `lqx/nodes/`). */
  readonly nodePrefix?: string;
  /** TTL of the lease behind each lock and leadership, in ms (default 10 000; whole seconds). */
  readonly leaseTtlMs?: number;
  /** Fraction of the TTL without a confirmed renewal after which a holder steps down (default 0.5). */
  readonly stepDownRatio?: number;
  /** Receives background failures (renewals, watches); they never crash the process. */
  readonly onError?: (error: DomainError) => void;
}

/**
 * EtcdCoordinator implements the Coordinator port with etcd's own concurrency recipes, so its
 * locks and elections interoperate with `etcdctl lock` and `etcdctl elect`: each contender
 * writes `<prefix><lease id in hex>` under a lease of its own, the key with the lowest create
 * revision holds the lock (or office), and each waiter watches only its predecessor. The
 * create revision of the key is the fencing token.
 */
export class EtcdCoordinator implements Coordinator {
  private readonly electionPrefix: string;
  private readonly lockPrefix: string;
  private readonly leaseTtlMs: number;
  private readonly callTimeoutMs: number;
  private readonly registry: NodeRegistry;
  private readonly sessions = new Set<LeaseSession>();
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  constructor(
    private readonly client: Etcd3,
    private readonly options: Omit<EtcdCoordinatorOptions, "endpoints"> = {},
  ) {
    this.electionPrefix = requirePrefix("electionPrefix", options.electionPrefix ?? "lqx/elections/");
    this.lockPrefix = requirePrefix("lockPrefix", options.lockPrefix ?? "lqx/locks/");
    const nodePrefix = requirePrefix("nodePrefix", options.nodePrefix ?? "lqx/nodes/");
    this.leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.registry = new NodeRegistry(client, nodePrefix, this.callTimeoutMs, options.onError);
  }

  async campaign(election: string, candidate: string, options: WaitOptions = {}): Promise<Leadership> {
    const prefix = `${this.electionPrefix}${requireName("election", election)}/`;
    if (typeof candidate !== "string" || candidate.length === 0) {
      throw invalidArgument([
        { field: "candidate", description: "must be a non-empty string (the replica id)" },
      ]);
    }
    const grant = await this.acquire(prefix, candidate, options, `campaign in election "${election}"`);
    return {
      election,
      candidate,
      token: grant.token,
      signal: grant.signal,
      resign: () => grant.release(),
    };
  }

  async leader(election: string): Promise<string | undefined> {
    const prefix = `${this.electionPrefix}${requireName("election", election)}/`;
    this.assertOpen();
    return (await firstCreated(this.client, prefix)).kv?.value.toString();
  }

  async observe(election: string, listener: (leader: string | undefined) => void): Promise<Subscription> {
    const prefix = `${this.electionPrefix}${requireName("election", election)}/`;
    this.assertOpen();
    let current: string | undefined;
    let queue = Promise.resolve();
    // Re-read the first-created key on every change, in order, and report only real changes.
    const refresh = () => {
      queue = queue.then(async () => {
        try {
          const next = (await firstCreated(this.client, prefix)).kv?.value.toString();
          if (next !== current) {
            current = next;
            listener(next);
          }
        } catch (err) {
          this.options.onError?.(classifyEtcdError(err, `observing election "${election}"`));
        }
      });
    };
    const first = await firstCreated(this.client, prefix);
    current = first.kv?.value.toString();
    listener(current);
    const watch = watchPrefix(this.client, prefix, {
      afterRevision: first.revision,
      onEvents: refresh,
      onResync: refresh,
      onError: (err) => this.options.onError?.(classifyEtcdError(err, `observing election "${election}"`)),
    });
    const sub: Subscription = {
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        await watch.close();
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  async lock(name: string, options: WaitOptions = {}): Promise<LockHandle> {
    const prefix = `${this.lockPrefix}${requireName("name", name)}/`;
    const grant = await this.acquire(prefix, "", options, `lock "${name}"`);
    return { name, token: grant.token, signal: grant.signal, release: () => grant.release() };
  }

  async tryLock(name: string): Promise<LockHandle | undefined> {
    const prefix = `${this.lockPrefix}${requireName("name", name)}/`;
    this.assertOpen();
    const session = await this.grantSession();
    try {
      const queued = await enqueue(this.client, session, prefix, "");
      if (!queued.owner) {
        await session.revoke();
        return undefined;
      }
      const grant = new HeldGrant(
        this.client,
        session,
        queued.key,
        queued.createRevision,
        this.options.onError,
      );
      return { name, token: grant.token, signal: grant.signal, release: () => grant.release() };
    } catch (err) {
      await session.revoke();
      throw classifyEtcdError(err, `tryLock "${name}"`);
    }
  }

  async registerNode(
    nodeId: string,
    options: { ttlMs: number; metadata?: Record<string, string> },
  ): Promise<NodeLease> {
    this.assertOpen();
    return this.registry.register(nodeId, options, (s) => this.track(s));
  }

  async liveNodes(): Promise<readonly LiveNode[]> {
    this.assertOpen();
    return this.registry.live();
  }

  async watchNodes(listener: (event: NodeLeaseEvent) => void): Promise<Subscription> {
    this.assertOpen();
    const inner = await this.registry.watch(listener);
    const sub: Subscription = {
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        await inner.unsubscribe();
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.unsubscribe()));
    await Promise.all([...this.sessions].map((s) => s.revoke()));
    this.client.close();
  }

  private acquire(prefix: string, value: string, options: WaitOptions, what: string): Promise<HeldGrant> {
    this.assertOpen();
    return acquireInQueue(
      {
        client: this.client,
        grantSession: () => this.grantSession(),
        isClosed: () => this.closed,
        ...(this.options.onError ? { onError: this.options.onError } : {}),
      },
      { prefix, value, what, options },
    );
  }

  private async grantSession(): Promise<LeaseSession> {
    const session = await LeaseSession.grant(this.client, {
      ttlMs: this.leaseTtlMs,
      callTimeoutMs: this.callTimeoutMs,
      ...(this.options.stepDownRatio !== undefined ? { stepDownRatio: this.options.stepDownRatio } : {}),
      ...(this.options.onError ? { onError: this.options.onError } : {}),
    });
    this.track(session);
    return session;
  }

  private track(session: LeaseSession): void {
    this.sessions.add(session);
    session.signal.addEventListener("abort", () => this.sessions.delete(session), { once: true });
  }

  private assertOpen(): void {
    if (this.closed) throw failedPrecondition("the coordinator is closed; create a new one");
  }
}

/**
 * createEtcdCoordinator connects to etcd and returns a Coordinator, failing with Unavailable when
 * etcd cannot be reached (no silent fallback); close() releases everything it holds.
 */
export async function createEtcdCoordinator(options: EtcdCoordinatorOptions): Promise<EtcdCoordinator> {
  const { endpoints: _endpoints, ...rest } = options;
  const client = openEtcd(options);
  try {
    await client.kv.range({ key: Buffer.from(rest.electionPrefix ?? "lqx/"), count_only: true });
  } catch (err) {
    client.close();
    throw classifyEtcdError(err, `connecting to etcd at ${options.endpoints.join(",")}`);
  }
  return new EtcdCoordinator(client, rest);
}
