import { describe, expect, it } from "vitest";
import { HeadReader } from "./head-reader";

/** pendingReads returns a head source whose reads the test settles one by one, and the reads asked. */
function pendingReads() {
  const reads: { resolve: (n: number) => void; reject: (e: Error) => void }[] = [];
  const source = () =>
    new Promise<number>((resolve, reject) => {
      reads.push({ resolve, reject });
    });
  return { reads, source };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("HeadReader", () => {
  it("answers callers who arrive during a read with the next read, one for all of them", async () => {
    const { reads, source } = pendingReads();
    const head = new HeadReader(source);
    const first = head.read();
    const second = head.read();
    const third = head.read();
    expect(reads).toHaveLength(1);
    reads[0]!.resolve(10);
    expect(await first).toBe(10);
    await tick();
    // The second read began after the second and third callers asked; they share it.
    expect(reads).toHaveLength(2);
    reads[1]!.resolve(12);
    expect(await second).toBe(12);
    expect(await third).toBe(12);
    expect(reads).toHaveLength(2);
  });

  it("never answers a caller with a read that began before it asked, even for a write committed meanwhile", async () => {
    let committed = 0;
    const started: number[] = [];
    const head = new HeadReader(async () => {
      const seen = committed;
      started.push(seen);
      await tick();
      return seen;
    });
    const before = head.read();
    committed = 5; // a write commits while the first read is under way
    const after = head.read();
    expect(await before).toBe(0);
    expect(await after).toBe(5);
  });

  it("passes a failed read to the callers it answers, and the next caller gets a new read", async () => {
    const { reads, source } = pendingReads();
    const head = new HeadReader(source);
    const first = head.read();
    const waiting = head.read();
    reads[0]!.reject(new Error("store down"));
    await expect(first).rejects.toThrow("store down");
    await tick();
    reads[1]!.reject(new Error("still down"));
    await expect(waiting).rejects.toThrow("still down");
    const later = head.read();
    expect(reads).toHaveLength(3);
    reads[2]!.resolve(7);
    expect(await later).toBe(7);
  });
});
