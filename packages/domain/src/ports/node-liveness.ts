import { serviceIdentifier } from "./service-identifier";

/**
 * NodeLiveness keeps when each node's agent was last heard from, apart from the node's stored
 * status: a heartbeat every second from every node is a cheap write here, where it would be a
 * durable row and a change-log entry in the store. Every replica writes the beats it receives;
 * the leader's node-health sweep reads them all. Adapters: in process (one replica) and Redis
 * (shared by replicas).
 */
export interface NodeLiveness {
  /**
   * beat records that a node was heard from at `atMs` (epoch milliseconds). It fails (with
   * Unavailable) when the beat cannot be recorded; the caller then stores the heartbeat instead.
   */
  beat(nodeId: string, atMs: number): Promise<void>;
  /** lastBeats returns when each node was last heard from; it fails with Unavailable when they cannot be read now. */
  lastBeats(): Promise<ReadonlyMap<string, number>>;
  /** forget drops a node's record (it was deleted). */
  forget(nodeId: string): Promise<void>;
}
/** NodeLiveness is the service identifier of the NodeLiveness port. */
export const NodeLiveness = serviceIdentifier<NodeLiveness>("NodeLiveness");
