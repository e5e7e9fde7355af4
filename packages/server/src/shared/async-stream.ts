/**
 * Light wrappers for async iterables on hot streams. Each layer of `async function*` costs several
 * promises per item (a `yield*` awaits every step of the source), and a watch sends every change
 * to every watcher through each layer; these cost one promise per item (`mapStream`) or none
 * (`openStream`, once open). Both forward `return` and `throw` to their source, so a consumer that
 * stops early ends the source (its `finally` blocks run) as it would through a generator.
 */

/** StreamHooks observe how a mapped stream ends. */
export interface StreamHooks {
  /** Called once the source ends of itself (not when the consumer stops it early). */
  readonly done?: () => void;
  /** Given what the source (or the map) threw; what it returns is thrown to the consumer instead. */
  readonly failed?: (error: unknown) => unknown;
}

/** mapStream passes each item of `source` through `map`, with one promise per item. */
export function mapStream<A, B>(
  source: AsyncIterable<A>,
  map: (item: A) => B,
  hooks: StreamHooks = {},
): AsyncIterableIterator<B> {
  const it = source[Symbol.asyncIterator]();
  let ended = false;
  const fail = (error: unknown): never => {
    throw hooks.failed ? hooks.failed(error) : error;
  };
  const step = (r: IteratorResult<A>): IteratorResult<B> => {
    if (r.done) {
      // Once, however often a consumer asks past the end.
      if (!ended) hooks.done?.();
      ended = true;
      return { done: true, value: undefined };
    }
    try {
      return { done: false, value: map(r.value) };
    } catch (error) {
      // As a `for await` loop whose body throws: the source is ended, then the error goes on.
      it.return?.().catch(() => {});
      return fail(error);
    }
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => it.next().then(step, fail),
    return: async (value?: unknown) => {
      await it.return?.(value);
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      if (!it.throw) throw error;
      return it.throw(error).then(step, fail);
    },
  };
}

/**
 * openStream is the stream `open` resolves to, opened on the first `next` (so what `open` throws
 * reaches the consumer there, as from a generator's body); every item after that comes straight
 * from the opened stream.
 */
export function openStream<T>(open: () => Promise<AsyncIterable<T>>): AsyncIterableIterator<T> {
  let it: AsyncIterator<T> | undefined;
  let opening: Promise<AsyncIterator<T>> | undefined;
  let closed = false;
  const opened = () => {
    opening ??= open().then((source) => {
      it = source[Symbol.asyncIterator]();
      return it;
    });
    return opening;
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => {
      if (it) return it.next();
      if (closed) return Promise.resolve({ done: true, value: undefined });
      return opened().then((source) => source.next());
    },
    return: async (value?: unknown) => {
      closed = true;
      // Stopped before it opened: the stream is never opened. Stopped while opening: it is ended
      // once open, so what it holds (a subscription) is released.
      const source = it ?? (opening ? await opening.catch(() => undefined) : undefined);
      await source?.return?.(value);
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      closed = true;
      const source = it ?? (opening ? await opening : undefined);
      if (!source?.throw) throw error;
      return source.throw(error);
    },
  };
}
