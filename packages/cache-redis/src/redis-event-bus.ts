import {
  type EventBus,
  type EventHandler,
  type Subscription,
  type Topic,
  type TopicMap,
  failedPrecondition,
  invalidArgument,
} from "@limiquantix/domain";
import type { Redis } from "ioredis";
import { classifyRedisError, requireKey } from "./errors";
import { toJson } from "./json";

/** RedisEventBusOptions name the channels and say where handler failures go. */
export interface RedisEventBusOptions {
  /** Prepended to each topic to form its channel (default `lqx:events:`). */
  readonly channelPrefix?: string;
  /** Receives errors thrown by handlers and undecodable messages; delivery goes on regardless. */
  readonly onError?: (error: unknown, topic: string) => void;
}

/** DEFAULT_CHANNEL_PREFIX is the channel prefix of the event bus when none is given. */
export const DEFAULT_CHANNEL_PREFIX = "lqx:events:";

type AnyHandler = (event: unknown) => void | Promise<void>;

// One subscriber's queue: events are handed over one at a time, in arrival order.
class Delivery {
  private tail: Promise<void> = Promise.resolve();
  active = true;

  constructor(
    private readonly handler: AnyHandler,
    private readonly onError: (err: unknown) => void,
  ) {}

  push(event: unknown): void {
    this.tail = this.tail.then(async () => {
      if (!this.active) return;
      try {
        await this.handler(event);
      } catch (err) {
        this.onError(err);
      }
    });
  }
}

/**
 * RedisEventBus implements the EventBus port over Redis pub/sub, so every replica sees what any
 * replica publishes. It uses two connections (a subscribed connection cannot publish), keeps
 * one channel subscription per topic however many handlers it has, and subscribes again to every
 * topic after a reconnect. Like pub/sub itself it is at-most-once: events published while this
 * replica was disconnected are not replayed.
 */
export class RedisEventBus implements EventBus {
  private readonly prefix: string;
  private readonly handlers = new Map<string, Set<Delivery>>();
  private closed = false;
  private readonly onMessage = (channel: string, message: string) => this.dispatch(channel, message);
  private readonly onReady = () => void this.resubscribe();

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly options: RedisEventBusOptions = {},
    private readonly release: () => Promise<void> = async () => {},
  ) {
    this.prefix = options.channelPrefix ?? DEFAULT_CHANNEL_PREFIX;
    subscriber.on("message", this.onMessage);
    subscriber.on("ready", this.onReady);
  }

  async publish<K extends Topic>(topic: K, event: TopicMap[K]): Promise<void> {
    this.assertOpen();
    const channel = this.prefix + requireKey("topic", topic);
    const json = toJson("event", event);
    try {
      await this.publisher.publish(channel, json);
    } catch (err) {
      throw classifyRedisError(err, `publishing to topic "${topic}"`);
    }
  }

  async subscribe<K extends Topic>(topic: K, handler: EventHandler<TopicMap[K]>): Promise<Subscription> {
    this.assertOpen();
    const channel = this.prefix + requireKey("topic", topic);
    if (typeof handler !== "function") {
      throw invalidArgument([{ field: "handler", description: "must be a function" }]);
    }
    const delivery = new Delivery(handler as AnyHandler, (err) => this.options.onError?.(err, topic));
    let set = this.handlers.get(channel);
    if (!set) {
      try {
        await this.subscriber.subscribe(channel);
      } catch (err) {
        throw classifyRedisError(err, `subscribing to topic "${topic}"`);
      }
      // Another subscribe of the same topic may have raced this one through the await.
      set = this.handlers.get(channel) ?? new Set();
      this.handlers.set(channel, set);
    }
    set.add(delivery);
    return {
      unsubscribe: async () => {
        delivery.active = false;
        const current = this.handlers.get(channel);
        if (!current?.delete(delivery) || current.size > 0) return;
        this.handlers.delete(channel);
        // Best effort: if Redis is down the channel is simply not resubscribed after a reconnect.
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.handlers.values()) for (const d of set) d.active = false;
    this.handlers.clear();
    this.subscriber.off("message", this.onMessage);
    this.subscriber.off("ready", this.onReady);
    await this.release();
  }

  private dispatch(channel: string, message: string): void {
    const set = this.handlers.get(channel);
    if (!set || set.size === 0) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch (err) {
      this.options.onError?.(err, channel.slice(this.prefix.length));
      return;
    }
    for (const delivery of set) delivery.push(event);
  }

  // Our own resubscription (rather than ioredis' autoResubscribe) lets failures be reported
  // and leaves out topics that were unsubscribed while the connection was down.
  private async resubscribe(): Promise<void> {
    const channels = [...this.handlers.keys()];
    if (this.closed || channels.length === 0) return;
    try {
      await this.subscriber.subscribe(...channels);
    } catch (err) {
      this.options.onError?.(classifyRedisError(err, "resubscribing after a reconnect"), "*");
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw failedPrecondition("the event bus is closed; create a new one to publish or subscribe");
  }
}
