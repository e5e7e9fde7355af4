import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { common } from "@limiquantix/api";
import type { Resource } from "@limiquantix/domain";
import { mapStream } from "../../shared/async-stream";
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

/** A change's messages, by event type and revision: what every watcher of it is sent. */
type Sent = Map<string, object>;

/** The messages of each change, per response type, kept while the changed object lives. */
const sentBySchema = new WeakMap<DescMessage, WeakMap<object, Sent>>();

/**
 * watchMessages puts a watch stream on the wire: each event's type, its object converted into the
 * response field `field` (absent on a BOOKMARK) and the revision the stream reached. Every watcher
 * of one change is sent the same frozen message: Connect (patched, `patches/`) encodes a frozen
 * message once however many streams send it, so fanning a change out to many watchers converts
 * and encodes it once. A BOOKMARK, its revision the stream's own, is made per stream.
 */
export function watchMessages<T extends Resource, K extends string, W, D extends DescMessage>(
  events: AsyncIterable<WatchEvent<T>>,
  field: K,
  toWire: (object: T) => W,
  schema: D,
): AsyncIterableIterator<MessageShape<D>> {
  let sent = sentBySchema.get(schema);
  if (!sent) {
    sent = new WeakMap();
    sentBySchema.set(schema, sent);
  }
  const ofChange = sent;
  // One promise per message on top of the events' own: this runs once per change per watcher.
  return mapStream(events, (e) => {
    const head = { type: watchEventTypeToProto(e.type), resourceVersion: BigInt(e.revision) };
    if (!e.object) return create(schema, head as unknown as MessageInitShape<D>);
    let ofObject = ofChange.get(e.object);
    if (!ofObject) {
      ofObject = new Map();
      ofChange.set(e.object, ofObject);
    }
    const key = `${e.type}@${e.revision}`;
    let message = ofObject.get(key) as MessageShape<D> | undefined;
    if (!message) {
      const init = { ...head, [field]: toWire(e.object) } as unknown as MessageInitShape<D>;
      message = Object.freeze(create(schema, init)) as MessageShape<D>;
      ofObject.set(key, message);
    }
    return message;
  });
}
