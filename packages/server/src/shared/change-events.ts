import {
  RESOURCES,
  type Resource,
  type ResourceKind,
  type Topic,
  type TopicMap,
  type WatchEventType,
} from "@limiquantix/domain";
import type { ServiceDeps } from "./service-deps";

/**
 * publishChange announces a stored change on the kind's topic. It runs after the write has
 * committed; a failure to publish is logged, never turned into a failure of the write, because
 * watchers resynchronise from the store.
 */
export async function publishChange<T extends Resource>(
  deps: Pick<ServiceDeps, "events" | "ids" | "clock" | "logger">,
  kind: ResourceKind,
  type: WatchEventType,
  object: T,
): Promise<void> {
  const topic = RESOURCES[kind].topic as Topic;
  const event = { id: deps.ids.next(), type, kind, occurredAt: deps.clock.now().toISOString(), object };
  try {
    await deps.events.publish(topic, event as unknown as TopicMap[typeof topic]);
  } catch (e) {
    deps.logger.warn({ err: e, kind, id: object.id, type }, "could not publish change event");
  }
}
