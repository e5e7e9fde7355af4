import type { ResourceKind, ResourceOf, TopicOf } from "../resources";
import { type ServiceIdentifier, type Subscription, serviceIdentifier } from "./service-identifier";

/** WatchEventType is what happened to a resource. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** ResourceEvent reports a change of one resource, with the resource as it is after the change (before, for DELETED). */
export interface ResourceEvent<T> {
  /** Unique id of the event. */
  readonly id: string;
  readonly type: WatchEventType;
  readonly kind: ResourceKind;
  readonly occurredAt: string;
  readonly object: T;
}

/** NodeMetricsEvent carries a node's live usage, as its agent reported it. */
export interface NodeMetricsEvent {
  readonly id: string;
  readonly type: "METRICS";
  readonly nodeId: string;
  readonly occurredAt: string;
  readonly cpuPercent: number;
  readonly memoryUsedMib: number;
}

/** ResourceTopics maps the topic of each resource kind (its row of RESOURCES) to the change events of that kind. */
export type ResourceTopics = { [K in ResourceKind as TopicOf<K>]: ResourceEvent<ResourceOf<K>> };

/**
 * TopicMap maps each event topic to the events published on it: one topic per resource kind,
 * plus `node-metrics`. Integrators add topics by declaration merging
 * (`declare module "@limiquantix/domain" { interface TopicMap { … } }`).
 */
export interface TopicMap extends ResourceTopics {
  "node-metrics": NodeMetricsEvent;
}
/** Topic names one event topic. */
export type Topic = keyof TopicMap & string;

/** EventHandler receives the events of one topic. A handler that throws does not stop delivery to others. */
export type EventHandler<E> = (event: E) => void | Promise<void>;

/**
 * EventBus carries typed events by topic. Events must be JSON-serialisable (adapters may carry
 * them across processes). Each subscriber receives the events of a topic in the order they were
 * published, one at a time: the next waits until its handler's promise settles.
 */
export interface EventBus {
  /** publish sends an event to every subscriber of the topic; it resolves once the event is handed to the bus. */
  publish<K extends Topic>(topic: K, event: TopicMap[K]): Promise<void>;
  /** subscribe delivers every later event of the topic to handler until unsubscribed. */
  subscribe<K extends Topic>(topic: K, handler: EventHandler<TopicMap[K]>): Promise<Subscription>;
  /** close stops delivery to every subscriber and releases connections. */
  close(): Promise<void>;
}
/** EventBus is the service identifier of the EventBus port. */
export const EventBus: ServiceIdentifier<EventBus> = serviceIdentifier<EventBus>("EventBus");
