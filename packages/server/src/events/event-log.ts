import {
  type ChangeLogEntry,
  type LabelSelector,
  matchesSelector,
  type Repositories,
  resourceExhausted,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { withProjectId } from "../shared/project-ref";
import type { ChangeListener } from "./change-relay";
import {
  deriveEvents,
  type Facts,
  factsOf,
  type LifecycleEvent,
  SEVERITY_RANK,
  type Severity,
} from "./lifecycle";

/** EventFilter selects events: every field given must match. */
export interface EventFilter {
  readonly kinds?: readonly string[];
  readonly resourceId?: string;
  readonly projectId?: string;
  readonly minSeverity?: Severity;
  readonly labelSelector?: LabelSelector;
}

/** EventPage is one page of past events, newest first. */
export interface EventPage {
  readonly items: readonly LifecycleEvent[];
  /** Where the next page starts (the revision of the last event given), when there is one. */
  readonly nextCursor?: number;
  readonly total: number;
}

/** EventLogOptions size the history and each stream's buffer. */
export interface EventLogOptions {
  /** Events kept for ListEvents and for streams to resume from (default 10,000). */
  readonly historySize?: number;
  /** Events a stream may have pending before it is cut off (default 1,000). */
  readonly bufferSize?: number;
}

type Stream = { readonly filter: EventFilter; readonly push: (e: LifecycleEvent) => void };

/**
 * EventLog turns the change log, as this replica's relay delivers it, into lifecycle events (a VM
 * started, a node became not ready, a volume was attached …), keeps the latest of them for
 * ListEvents, and feeds StreamEvents. It keeps only the few facts per resource that transitions
 * are read from, seeded from the store at start, so it tells the same events on every replica.
 */
export class EventLog implements ChangeListener {
  private readonly facts = new Map<string, Facts>();
  private readonly history: LifecycleEvent[] = [];
  private readonly streams = new Set<Stream>();
  private readonly historySize: number;

  constructor(
    private readonly repos: Repositories,
    private readonly options: EventLogOptions = {},
  ) {
    this.historySize = options.historySize ?? 10_000;
  }

  /** seed records what each resource looks like now, so its next change is told as the transition it is. */
  seed(kind: string, objects: Iterable<{ id: string } & object>): void {
    for (const o of objects) this.facts.set(`${kind}/${o.id}`, factsOf(kind, o as never));
  }

  change(entry: ChangeLogEntry): void {
    const key = `${entry.kind}/${entry.id}`;
    const events = deriveEvents(entry, this.facts.get(key));
    if (entry.type === "DELETED") this.facts.delete(key);
    else this.facts.set(key, factsOf(entry.kind, entry.object));
    for (const e of events) {
      this.history.push(e);
      for (const s of this.streams) if (matches(e, s.filter)) s.push(e);
    }
    if (this.history.length > this.historySize)
      this.history.splice(0, this.history.length - this.historySize);
  }

  reset(): void {
    // The relay skipped compacted history: what resources looked like before is unknown again.
    this.facts.clear();
  }

  /** list returns a page of past events matching the filter, newest first, from before `cursor` when given. */
  async list(
    _ctx: CallContext,
    given: EventFilter,
    page: { limit: number; cursor?: number },
  ): Promise<EventPage> {
    const filter = await withProjectId(this.repos, given);
    const all = this.history.filter((e) => matches(e, filter));
    const newestFirst = all.reverse();
    const start = page.cursor === undefined ? 0 : newestFirst.findIndex((e) => e.revision < page.cursor!);
    const from = start < 0 ? newestFirst.length : start;
    const items = newestFirst.slice(from, from + page.limit);
    const more = from + page.limit < newestFirst.length;
    return {
      items,
      total: newestFirst.length,
      ...(more && items.length > 0 ? { nextCursor: items.at(-1)!.revision } : {}),
    };
  }

  /**
   * stream yields events matching the filter as they happen; after `fromRevision`, it first
   * replays what the history still holds after it (a revision older than the history is refused:
   * list instead). A stream that falls more than the buffer behind is ended with
   * ResourceExhausted naming the revision to resume from.
   */
  async *stream(ctx: CallContext, given: EventFilter, fromRevision?: number): AsyncGenerator<LifecycleEvent> {
    const filter = await withProjectId(this.repos, given);
    const limit = this.options.bufferSize ?? 1000;
    const pending: LifecycleEvent[] = [];
    let overflowed = false;
    let wake: (() => void) | undefined;
    const stream: Stream = {
      filter,
      push: (e) => {
        if (pending.length >= limit) overflowed = true;
        else pending.push(e);
        wake?.();
      },
    };
    this.streams.add(stream);
    const onAbort = () => wake?.();
    ctx.signal.addEventListener("abort", onAbort);
    try {
      let last = fromRevision ?? 0;
      // Ids given at the latest revision: one change can tell several events, and a replayed one may also arrive live.
      let givenAtLast = new Set<string>();
      if (fromRevision !== undefined) {
        const oldest = this.history[0]?.revision;
        if (oldest !== undefined && fromRevision < oldest - 1)
          throw resourceExhausted(
            `events after resource_version ${fromRevision} are no longer held here; use ListEvents, then stream`,
            {
              oldestRevision: oldest,
            },
          );
        for (const e of this.history) if (e.revision > fromRevision && matches(e, filter)) pending.unshift(e);
        pending.sort((a, b) => a.revision - b.revision || a.id.localeCompare(b.id));
      }
      while (!ctx.signal.aborted) {
        if (overflowed)
          throw resourceExhausted(
            `this event stream fell more than ${limit} events behind; stream again from resource_version ${last}`,
            {
              resumeFromRevision: last,
            },
          );
        const next = pending.shift();
        if (next) {
          if (next.revision < last || (next.revision === last && givenAtLast.has(next.id))) continue;
          if (next.revision > last) givenAtLast = new Set();
          last = next.revision;
          givenAtLast.add(next.id);
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      this.streams.delete(stream);
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }
}

function matches(e: LifecycleEvent, f: EventFilter): boolean {
  return (
    (!f.kinds?.length || f.kinds.includes(e.kind)) &&
    (!f.resourceId || e.resourceId === f.resourceId) &&
    (!f.projectId || e.projectId === f.projectId) &&
    (!f.minSeverity || SEVERITY_RANK[e.severity] >= SEVERITY_RANK[f.minSeverity]) &&
    (!f.labelSelector || matchesSelector(f.labelSelector, e.labels))
  );
}
