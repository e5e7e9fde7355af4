import { common } from "@limiquantix/api";
import type { WatchEventType } from "../watch";

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
