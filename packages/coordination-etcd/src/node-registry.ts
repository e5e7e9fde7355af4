import {
  type DomainError,
  type LiveNode,
  type NodeLease,
  type NodeLeaseEvent,
  type Subscription,
  invalidArgument,
} from "@limiquantix/domain";
import type { Etcd3 } from "etcd3";
import { classifyEtcdError } from "./errors";
import { rangeOfPrefix } from "./kv";
import { LeaseSession } from "./lease-session";
import { requireName } from "./names";
import { watchPrefix } from "./resumable-watch";

interface NodeRecord {
  readonly nodeId: string;
  readonly metadata: Record<string, string>;
}

function parse(value: string, fallbackId: string): NodeRecord {
  try {
    const v = JSON.parse(value) as Partial<NodeRecord>;
    return { nodeId: typeof v.nodeId === "string" ? v.nodeId : fallbackId, metadata: v.metadata ?? {} };
  } catch {
    return { nodeId: fallbackId, metadata: {} };
  }
}

function validateMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw invalidArgument([{ field: "metadata", description: "must be an object of string values" }]);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw invalidArgument([{ field: `metadata.${k}`, description: `must be a string (got ${typeof v})` }]);
    }
  }
  return metadata as Record<string, string>;
}

/**
 * NodeRegistry keeps each node's liveness as a key `<prefix><nodeId>` bound to a lease of the
 * node's TTL: the key lives while the lease is renewed and vanishes when it is revoked or
 * expires, which watchers see as the node leaving.
 */
export class NodeRegistry {
  constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
    private readonly callTimeoutMs: number,
    private readonly onError?: (error: DomainError) => void,
  ) {}

  /** register announces nodeId as alive for ttlMs, renewed until revoked. */
  async register(
    nodeId: string,
    options: { ttlMs: number; metadata?: Record<string, string> },
    track: (lease: LeaseSession) => void,
  ): Promise<NodeLease> {
    requireName("nodeId", nodeId);
    const metadata = validateMetadata(options?.metadata);
    const session = await LeaseSession.grant(this.client, {
      ttlMs: options?.ttlMs,
      callTimeoutMs: this.callTimeoutMs,
      ...(this.onError ? { onError: this.onError } : {}),
    });
    track(session);
    try {
      await this.client.kv.put({
        key: Buffer.from(this.prefix + nodeId),
        value: Buffer.from(JSON.stringify({ nodeId, metadata })),
        lease: session.id,
      });
    } catch (err) {
      await session.revoke();
      throw classifyEtcdError(err, `registering node "${nodeId}"`);
    }
    return {
      nodeId,
      ttlMs: options.ttlMs,
      signal: session.signal,
      revoke: () => session.revoke(),
    };
  }

  /** live lists the nodes whose keys exist, that is whose leases are alive. */
  async live(): Promise<readonly LiveNode[]> {
    try {
      const res = await this.client.kv.range(rangeOfPrefix(this.prefix));
      return res.kvs.map((kv) => parse(kv.value.toString(), kv.key.toString().slice(this.prefix.length)));
    } catch (err) {
      throw classifyEtcdError(err, "listing live nodes");
    }
  }

  /** watch reports nodes joining (key created) and leaving (key deleted) until unsubscribed. */
  async watch(listener: (event: NodeLeaseEvent) => void): Promise<Subscription> {
    let revision: number;
    try {
      const res = await this.client.kv.range(rangeOfPrefix(this.prefix, { count_only: true }));
      revision = Number(res.header.revision);
    } catch (err) {
      throw classifyEtcdError(err, "watching nodes");
    }
    const watch = watchPrefix(this.client, this.prefix, {
      afterRevision: revision,
      onEvents: (events) => {
        for (const e of events) {
          const nodeId = e.key.slice(this.prefix.length);
          if (e.type === "delete") listener({ type: "left", nodeId });
          else if (e.version === 1) {
            const record = parse(e.value, nodeId);
            listener({ type: "joined", nodeId: record.nodeId, metadata: record.metadata });
          }
        }
      },
      onError: (err) => this.onError?.(classifyEtcdError(err, "watching nodes")),
    });
    return { unsubscribe: () => watch.close() };
  }
}
