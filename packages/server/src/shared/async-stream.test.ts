import { describe, expect, it } from "vitest";
import { mapStream, openStream } from "./async-stream";

/** numbers yields 1, 2, 3 … up to `n` (for ever without one), noting when its finally block ran. */
function numbers(n = Number.POSITIVE_INFINITY, fail?: Error) {
  const state = { ended: false };
  const source = (async function* () {
    try {
      for (let i = 1; i <= n; i++) yield i;
      if (fail) throw fail;
    } finally {
      state.ended = true;
    }
  })();
  return { source, state };
}

async function take<T>(it: AsyncIterable<T>, n: number): Promise<T[]> {
  const got: T[] = [];
  for await (const x of it) {
    got.push(x);
    if (got.length === n) break;
  }
  return got;
}

describe("mapStream", () => {
  it("maps every item and says when the source ended of itself", async () => {
    const { source, state } = numbers(3);
    let done = 0;
    const mapped = mapStream(source, (x) => x * 10, { done: () => done++ });
    expect(await take(mapped, 10)).toEqual([10, 20, 30]);
    expect(await mapped.next()).toEqual({ done: true, value: undefined });
    expect(done).toBe(1);
    expect(state.ended).toBe(true);
  });

  it("ends the source when the consumer stops early, without calling done", async () => {
    const { source, state } = numbers();
    let done = 0;
    expect(await take(mapStream(source, String, { done: () => done++ }), 2)).toEqual(["1", "2"]);
    expect(state.ended).toBe(true);
    expect(done).toBe(0);
  });

  it("hands what the source threw to failed and throws what it returns", async () => {
    const { source } = numbers(1, new Error("broken"));
    const mapped = mapStream(source, (x) => x, {
      failed: (e) => new Error(`mapped: ${(e as Error).message}`),
    });
    await expect(take(mapped, 5)).rejects.toThrow("mapped: broken");
  });

  it("ends the source when the map throws, as a loop whose body throws would", async () => {
    const { source, state } = numbers();
    const mapped = mapStream(
      source,
      (x) => {
        if (x === 2) throw new Error("cannot map 2");
        return x;
      },
      { failed: (e) => e },
    );
    await expect(take(mapped, 5)).rejects.toThrow("cannot map 2");
    await new Promise((r) => setImmediate(r));
    expect(state.ended).toBe(true);
  });
});

describe("openStream", () => {
  it("opens on the first next, and what opening throws reaches the consumer there", async () => {
    let opened = 0;
    const stream = openStream(async () => {
      opened++;
      return numbers(2).source;
    });
    expect(opened).toBe(0);
    expect(await take(stream, 5)).toEqual([1, 2]);
    expect(opened).toBe(1);
    const failing = openStream<number>(async () => {
      throw new Error("no such thing");
    });
    await expect(failing.next()).rejects.toThrow("no such thing");
  });

  it("never opens a stream stopped before its first next", async () => {
    let opened = 0;
    const stream = openStream(async () => {
      opened++;
      return numbers().source;
    });
    expect(await stream.return?.()).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(opened).toBe(0);
  });

  it("ends the opened source when stopped, also when stopped while it was opening", async () => {
    const open = numbers();
    expect(
      await take(
        openStream(async () => open.source),
        1,
      ),
    ).toEqual([1]);
    expect(open.state.ended).toBe(true);

    const slow = numbers();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const stream = openStream(async () => {
      await gate;
      return slow.source;
    });
    const first = stream.next();
    const stopped = stream.return?.();
    release();
    expect(await first).toEqual({ done: false, value: 1 });
    await stopped;
    expect(slow.state.ended).toBe(true);
  });
});
