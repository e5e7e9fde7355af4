import { common } from "@limiquantix/api";
import type { Resource } from "@limiquantix/domain";
import type { WatchEvent, WatchEventType } from "../watch";

const TO_PROTO: Record<WatchEventType, common.EventType> = {
  ADDED: common.EventType.CREATED,
  MODIFIED: common.EventType.UPDATED,
  DELETED: common.EventType.DELETED,
  BOOKMARK: common.EventType.BOOKMARK,
};

/** watchEventTypeToProto names a watch event's type on the wire. */
export function watchEventTypeToProto(type: WatchEventType): common.EventType {
  return TO_PROTO[type];
}

/** fromRevisionOf reads a watch request's resource_version: 0 (absent) means list first, anything else resume after it. */
export function fromRevisionOf(resourceVersion: bigint): number | undefined {
  return resourceVersion === 0n ? undefined : Number(resourceVersion);
}

/**
 * convertedOnce wraps a domain → wire converter so an object is converted once however often it
 * is sent: every watcher of a change receives the same object, and reads served from the
 * replica's copy return the same object until it changes. Wire messages are never modified after
 * conversion, so sharing one is safe.
 */
export function convertedOnce<T extends object, P>(convert: (object: T) => P): (object: T) => P {
  const converted = new WeakMap<T, P>();
  return (object) => {
    let message = converted.get(object);
    if (message === undefined) {
      message = convert(object);
      converted.set(object, message);
    }
    return message;
  };
}

/** WatchMessage is one wire message of a watch stream whose object travels in the field `K`. */
export type WatchMessage<K extends string, W> = {
  type: common.EventType;
  resourceVersion: bigint;
} & Partial<Record<K, W>>;

/**
 * watchMessages puts a watch stream on the wire: each event's type, its object converted into the
 * response field `field` (absent on a BOOKMARK) and the revision the stream reached.
 */
export async function* watchMessages<T extends Resource, K extends string, W>(
  events: AsyncIterable<WatchEvent<T>>,
  field: K,
  toWire: (object: T) => W,
): AsyncGenerator<WatchMessage<K, W>> {
  for await (const e of events) {
    const message = {
      type: watchEventTypeToProto(e.type),
      resourceVersion: BigInt(e.revision),
    } as WatchMessage<K, W>;
    if (e.object) (message as Record<K, W>)[field] = toWire(e.object);
    yield message;
  }
}
