import { AsyncLocalStorage } from "node:async_hooks";
import { type ChangeLog, type ChangeLogEntry, ErrorCode, hasErrorCode } from "@limiquantix/domain";
import type { Logger } from "pino";
import { HeadReader } from "./head-reader";

/** ChangeListener receives every change the relay follows, in revision order. */
export interface ChangeListener {
  /** change is called once per entry; the relay awaits it before the next entry reaches this listener. */
  change(entry: ChangeLogEntry): void | Promise<void>;
  /**
   * reset is called when the relay fell so far behind that the log no longer holds what it missed
   * (compacted): the listener must rebuild its view from the store, at revision `head`.
   */
  reset?(head: number): void | Promise<void>;
}

/** ChangeRelayOptions tune how the relay reads the log. */
export interface ChangeRelayOptions {
  /** Entries read per round trip (default 500). */
  readonly batch?: number;
  /** Pause after a failed read before trying again (default 1000 ms). */
  readonly retryMs?: number;
}

/**
 * ChangeRelay follows the change log on this replica and feeds the replica's listeners (the
 * placement snapshot, the reconciler, watch streams, the event stream) every committed change in
 * order, whoever made it and through whichever replica. The log is the truth: a replica that was
 * cut off catches up from its last revision, so nothing is lost or reordered; the log's own wake-up
 * (LISTEN/NOTIFY on PostgreSQL) only makes delivery prompt.
 */
export class ChangeRelay {
  private readonly listeners = new Set<ChangeListener>();
  private readonly waiters: { revision: number; resolve: () => void }[] = [];
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;
  private relayed = 0;
  /** Concurrent consistent reads share one read of the head (each still one begun after it asked). */
  private readonly head: HeadReader;

  constructor(
    private readonly log: ChangeLog,
    private readonly logger: Logger,
    private readonly options: ChangeRelayOptions = {},
  ) {
    this.head = new HeadReader(() => this.log.head());
  }

  /** revision is the last revision every listener has been given. */
  get revision(): number {
    return this.relayed;
  }

  /** start begins following the log after `fromRevision` (its head when not given) and returns that revision. */
  async start(fromRevision?: number): Promise<number> {
    this.relayed = fromRevision ?? (await this.log.head());
    this.loop = this.follow();
    return this.relayed;
  }

  /**
   * subscribe adds a listener for every change from now on; the returned function removes it.
   * The listener runs in the async context it subscribed in (not the relay's), so what it starts
   * keeps that context: a controller's work stays under its leader's write fence.
   */
  subscribe(listener: ChangeListener): () => void {
    const inContext = AsyncLocalStorage.snapshot();
    const { reset } = listener;
    const bound: ChangeListener = {
      change: (entry) => inContext(() => listener.change(entry)),
      ...(reset ? { reset: (head: number) => inContext(() => reset.call(listener, head)) } : {}),
    };
    this.listeners.add(bound);
    return () => {
      this.listeners.delete(bound);
    };
  }

  /** listenerCount is how many listeners are subscribed (every open watch stream is one). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /**
   * caughtUp resolves once every change up to `revision` (the log's head when not given) has been
   * relayed: a replica that serves a read after it reflects every write committed before it.
   */
  async caughtUp(revision?: number): Promise<void> {
    const target = revision ?? (await this.head.read());
    if (this.relayed >= target) return;
    await new Promise<void>((resolve) => {
      this.waiters.push({ revision: target, resolve });
    });
  }

  /** stop ends the relay; listeners receive nothing more. */
  async stop(): Promise<void> {
    this.stopped.abort();
    await this.loop;
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private async follow(): Promise<void> {
    const { signal } = this.stopped;
    const batch = this.options.batch ?? 500;
    // A read that returns less than a batch reached the log's end: wait for the next commit (a
    // log may hand the read what its wait looked at, so a wake-up costs it one statement).
    while (!signal.aborted) {
      try {
        await this.log.wait(this.relayed, signal);
        for (;;) {
          const entries = await this.log.read(this.relayed, batch);
          for (const entry of entries) await this.deliver(entry);
          if (entries.length < batch) break;
        }
      } catch (e) {
        if (signal.aborted) break;
        if (hasErrorCode(e, ErrorCode.FailedPrecondition)) await this.resetFromHead();
        else {
          this.logger.warn({ err: e, revision: this.relayed }, "following the change log failed; retrying");
          await sleep(this.options.retryMs ?? 1000, signal);
        }
      }
    }
  }

  private async deliver(entry: ChangeLogEntry): Promise<void> {
    for (const l of this.listeners) {
      try {
        // Most listeners (every watch stream) take a change synchronously: awaiting only the
        // ones that return a promise spares a turn of the microtask queue per listener and change.
        const taken = l.change(entry);
        if (taken !== undefined) await taken;
      } catch (e) {
        this.logger.error(
          { err: e, revision: entry.revision, kind: entry.kind, id: entry.id },
          "a change listener failed",
        );
      }
    }
    this.relayed = entry.revision;
    this.release();
  }

  private async resetFromHead(): Promise<void> {
    const head = await this.log.head();
    this.logger.warn(
      { from: this.relayed, head },
      "the change log no longer holds what this replica missed: rebuilding from the store",
    );
    for (const l of this.listeners)
      await Promise.resolve(l.reset?.(head)).catch((e: unknown) =>
        this.logger.error({ err: e }, "a reset failed"),
      );
    this.relayed = head;
    this.release();
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.revision <= this.relayed) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
