import type { Etcd3, ITxnResponse } from "etcd3";
import { classifyEtcdError } from "./errors";
import { lastCreatedBefore, rangeOfPrefix } from "./kv";
import type { LeaseSession } from "./lease-session";
import { waitForDeletion } from "./wait-deletion";

/** Queued is our key in a lock or election queue, with its create revision (the fencing token). */
export interface Queued {
  readonly key: string;
  readonly createRevision: number;
  /** owner says whether our key was the first in the queue when we joined. */
  readonly owner: boolean;
}

/**
 * enqueue puts `<prefix><lease id in hex>` under the session's lease unless it exists, exactly as
 * etcd's concurrency.Mutex and concurrency.Election do, and reads who is first in the queue.
 */
export async function enqueue(
  client: Etcd3,
  session: LeaseSession,
  prefix: string,
  value: string,
): Promise<Queued> {
  const key = prefix + session.hexId;
  const keyBuf = Buffer.from(key);
  const owner = {
    request_range: rangeOfPrefix(prefix, { sort_target: "Create", sort_order: "Ascend", limit: 1 }),
  };
  let res: ITxnResponse;
  try {
    res = await client.kv.txn({
      compare: [{ key: keyBuf, target: "Create", result: "Equal", create_revision: 0 }],
      success: [{ request_put: { key: keyBuf, value: Buffer.from(value), lease: session.id } }, owner],
      failure: [{ request_range: { key: keyBuf } }, owner],
    });
  } catch (err) {
    throw classifyEtcdError(err, `queueing for "${prefix}"`);
  }
  const createRevision = res.succeeded
    ? Number(res.header.revision)
    : Number(res.responses[0]?.response_range.kvs[0]?.create_revision ?? res.header.revision);
  const first = res.responses[1]?.response_range.kvs[0];
  return { key, createRevision, owner: !first || Number(first.create_revision) === createRevision };
}

/**
 * waitForTurn waits until every key of the queue created before ours is deleted (etcd's
 * waitDeletes): each waiter watches only its predecessor, so a release wakes one waiter.
 */
export async function waitForTurn(
  client: Etcd3,
  prefix: string,
  myRevision: number,
  signal: AbortSignal,
): Promise<void> {
  for (;;) {
    if (signal.aborted) throw signal.reason;
    let found: Awaited<ReturnType<typeof lastCreatedBefore>>;
    try {
      found = await lastCreatedBefore(client, prefix, myRevision - 1);
    } catch (err) {
      const e = classifyEtcdError(err, `waiting for "${prefix}"`);
      if (!e.isRetryable) throw e;
      // etcd is briefly unreachable: keep waiting unless our own lease is lost (signal).
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    if (!found.kv) return;
    await waitForDeletion(client, found.kv.key.toString(), found.revision, signal);
  }
}

/** deleteKey removes our queued key (used when giving up without revoking the whole lease). */
export async function deleteKey(client: Etcd3, key: string): Promise<void> {
  await client.kv.deleteRange({ key: Buffer.from(key) });
}
