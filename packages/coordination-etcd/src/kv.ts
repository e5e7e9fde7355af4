import type { Etcd3, IKeyValue, IRangeRequest } from "etcd3";
import { classifyEtcdError } from "./errors";

/** prefixRangeEnd is the exclusive end of the key range that holds every key starting with prefix. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  // All 0xff: the range runs to the end of the keyspace.
  return Buffer.from([0]);
}

/** rangeOfPrefix builds a range request over every key that starts with prefix. */
export function rangeOfPrefix(
  prefix: string,
  extra: Omit<IRangeRequest, "key" | "range_end"> = {},
): IRangeRequest {
  const key = Buffer.from(prefix);
  return { key, range_end: prefixRangeEnd(key), ...extra };
}

/** firstCreated returns the key under prefix with the lowest create revision (the recipes' owner or leader), with the read revision. */
export async function firstCreated(
  client: Etcd3,
  prefix: string,
): Promise<{ kv: IKeyValue | undefined; revision: number }> {
  try {
    const res = await client.kv.range(
      rangeOfPrefix(prefix, { sort_target: "Create", sort_order: "Ascend", limit: 1 }),
    );
    return { kv: res.kvs[0], revision: Number(res.header.revision) };
  } catch (err) {
    throw classifyEtcdError(err, `reading the owner of "${prefix}"`);
  }
}

/** lastCreatedBefore returns the newest key under prefix created at or before maxCreateRevision, with the read revision. */
export async function lastCreatedBefore(
  client: Etcd3,
  prefix: string,
  maxCreateRevision: number,
): Promise<{ kv: IKeyValue | undefined; revision: number }> {
  const res = await client.kv.range(
    rangeOfPrefix(prefix, {
      sort_target: "Create",
      sort_order: "Descend",
      limit: 1,
      max_create_revision: maxCreateRevision,
    }),
  );
  return { kv: res.kvs[0], revision: Number(res.header.revision) };
}

/** revisionOf reads a numeric revision field of etcd (int64, carried as a string). */
export function revisionOf(value: string | number | undefined): number {
  return Number(value ?? 0);
}
