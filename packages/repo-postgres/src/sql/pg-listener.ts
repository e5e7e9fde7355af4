import { invalidArgument } from "@limiquantix/domain";
import type pg from "pg";
import type { Unlisten } from "./executor";

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
const RECONNECT_MS = 1000;

/**
 * PgListener holds one connection of its own (outside the pool) for LISTEN, shared by every
 * channel of one database. It connects on the first listen; when the connection is lost it
 * wakes every handler (notifications sent meanwhile are lost, so followers look for
 * themselves) and reconnects every second until it is back or nobody listens any more.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly handlers = new Map<string, Set<() => void>>();
  private retry: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly connect: () => pg.Client) {}

  /** listen calls onNotify for every notification on the channel until the returned function is called. */
  async listen(channel: string, onNotify: () => void): Promise<Unlisten> {
    if (!CHANNEL.test(channel))
      throw invalidArgument([
        { field: "channel", description: `must be a lowercase identifier (got ${JSON.stringify(channel)})` },
      ]);
    let set = this.handlers.get(channel);
    const added = !set;
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    set.add(onNotify);
    try {
      const client = await this.connected();
      // A new channel on a connection that was already listening (LISTEN is idempotent).
      if (added) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.drop(channel, onNotify);
      throw error;
    }
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      if (this.drop(channel, onNotify)) await this.client?.query(`UNLISTEN ${channel}`).catch(() => {});
    };
  }

  /** close ends the listening connection; later listens fail. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.handlers.clear();
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  /** drop removes a handler and says whether its channel has no handler left. */
  private drop(channel: string, onNotify: () => void): boolean {
    const set = this.handlers.get(channel);
    if (!set) return false;
    set.delete(onNotify);
    if (set.size > 0) return false;
    this.handlers.delete(channel);
    return true;
  }

  private connected(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error("the listening connection is closed"));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = this.connect();
      client.on("notification", (message) => {
        for (const handler of [...(this.handlers.get(message.channel) ?? [])]) handler();
      });
      client.on("error", () => this.lost(client));
      client.on("end", () => this.lost(client));
      try {
        await client.connect();
        for (const channel of this.handlers.keys()) await client.query(`LISTEN ${channel}`);
      } catch (error) {
        await client.end().catch(() => {});
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => {});
        throw new Error("the listening connection is closed");
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.wakeAll();
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.closed || this.retry || this.handlers.size === 0) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connected().then(
        () => this.wakeAll(),
        () => this.reconnectLater(),
      );
    }, RECONNECT_MS);
    this.retry.unref?.();
  }

  private wakeAll(): void {
    for (const set of this.handlers.values()) for (const handler of [...set]) handler();
  }
}
