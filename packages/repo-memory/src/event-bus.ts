import {
  type EventBus,
  type EventHandler,
  type Subscription,
  type Topic,
  type TopicMap,
  unavailable,
} from "@limiquantix/domain";
import { toJson } from "./cache";

/** EventErrorHandler hears about a subscriber's handler that threw or rejected. */
export type EventErrorHandler = (
  error: unknown,
  context: { readonly topic: string; readonly event: unknown },
) => void;

/** Subscriber delivers one subscription's events one at a time, in publication order. */
class Subscriber {
  private readonly queue: unknown[] = [];
  private draining = false;
  active = true;

  constructor(
    readonly topic: string,
    private readonly handler: EventHandler<unknown>,
    private readonly onError: EventErrorHandler,
  ) {}

  push(event: unknown): void {
    if (!this.active) return;
    this.queue.push(event);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.active && this.queue.length > 0) {
      const event = this.queue.shift();
      try {
        await this.handler(event);
      } catch (error) {
        try {
          this.onError(error, { topic: this.topic, event });
        } catch {
          // An error hook that throws must not stop delivery either.
        }
      }
    }
    this.draining = false;
  }
}

/**
 * MemoryEventHub is the in-process backend several MemoryEventBus instances share, the way
 * replicas share a Redis server: an event published on one bus reaches subscribers on all.
 */
export class MemoryEventHub {
  private readonly topics = new Map<string, Set<Subscriber>>();

  /** add registers a subscriber of a topic. */
  add(subscriber: Subscriber): void {
    let set = this.topics.get(subscriber.topic);
    if (!set) {
      set = new Set();
      this.topics.set(subscriber.topic, set);
    }
    set.add(subscriber);
  }

  /** remove forgets a subscriber. */
  remove(subscriber: Subscriber): void {
    const set = this.topics.get(subscriber.topic);
    set?.delete(subscriber);
    if (set?.size === 0) this.topics.delete(subscriber.topic);
  }

  /** dispatch hands each subscriber of the topic its own copy of the event. */
  dispatch(topic: string, json: string): void {
    const set = this.topics.get(topic);
    if (!set) return;
    for (const subscriber of set) subscriber.push(JSON.parse(json));
  }

  /** subscriberCount is how many subscriptions a topic has. */
  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }
}

/** MemoryEventBusOptions configure a MemoryEventBus. */
export interface MemoryEventBusOptions {
  /** The hub to share with other buses; a private one when absent. */
  readonly hub?: MemoryEventHub;
  /** Hears about handlers that fail; by default they are written to stderr. */
  readonly onError?: EventErrorHandler;
}

const logError: EventErrorHandler = (error, { topic }) => {
  console.error(`limiquantix: an event handler for topic "${topic}" failed:`, error);
};

/**
 * MemoryEventBus is the in-process EventBus. Events go through a JSON round trip (as they would
 * across processes); each subscriber gets them in publication order, one at a time, and a
 * handler that fails is reported through onError without stopping anyone's delivery.
 */
export class MemoryEventBus implements EventBus {
  readonly hub: MemoryEventHub;
  private readonly onError: EventErrorHandler;
  private readonly own = new Set<Subscriber>();
  private closed = false;

  constructor(options: MemoryEventBusOptions = {}) {
    this.hub = options.hub ?? new MemoryEventHub();
    this.onError = options.onError ?? logError;
  }

  async publish<K extends Topic>(topic: K, event: TopicMap[K]): Promise<void> {
    this.assertOpen();
    this.hub.dispatch(topic, toJson(event));
  }

  async subscribe<K extends Topic>(topic: K, handler: EventHandler<TopicMap[K]>): Promise<Subscription> {
    this.assertOpen();
    const subscriber = new Subscriber(topic, handler as EventHandler<unknown>, this.onError);
    this.hub.add(subscriber);
    this.own.add(subscriber);
    return {
      unsubscribe: async () => {
        subscriber.active = false;
        this.hub.remove(subscriber);
        this.own.delete(subscriber);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const subscriber of this.own) {
      subscriber.active = false;
      this.hub.remove(subscriber);
    }
    this.own.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw unavailable("the event bus is closed");
  }
}
