import { describe, expect, it } from "vitest";
import { StatementCache } from "./statement-cache";

describe("StatementCache", () => {
  it("gives one text the same name every time and other texts other names", () => {
    const cache = new StatementCache();
    const a = cache.nameOf("SELECT 1");
    expect(a).toBeDefined();
    expect(cache.nameOf("SELECT 1")).toBe(a);
    expect(cache.nameOf("SELECT 2")).not.toBe(a);
  });

  it("runs texts past its capacity unnamed and keeps the names it gave", () => {
    const cache = new StatementCache(2);
    const first = cache.nameOf("q1");
    cache.nameOf("q2");
    expect(cache.nameOf("q3")).toBeUndefined();
    expect(cache.nameOf("q1")).toBe(first);
    expect(cache.size).toBe(2);
  });
});
