import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateLimitBudget, RateLimiter } from "../ports/rate-limiter";
import { uniqueName } from "./fixtures";
import { expectDomainError } from "./support";

/** RateLimiterHarness is what a rate-limiter adapter hands the rate-limiter conformance suite. */
export interface RateLimiterHarness {
  /** create makes a limiter with this budget (throwing InvalidArgument for a bad one); limiters may share a backend. */
  create(budget: RateLimitBudget): Promise<RateLimiter>;
  /** moves the limiters' time forward: a manual clock where the adapter takes one, a real sleep otherwise */
  advanceTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

const WINDOW = 60_000;

/**
 * runRateLimiterConformance registers the rate-limiter conformance suite: the budget and what
 * remains, the sliding window (driven by advanceTime), multi-unit costs, enforce's
 * ResourceExhausted with a retry delay, reset, independent keys, concurrent callers and input
 * validation. Every test uses keys of its own, so a harness may share one server between tests.
 * Windows that must slide are about a second long so real-time backends stay quick.
 */
export function runRateLimiterConformance(
  adapter: string,
  makeHarness: () => Promise<RateLimiterHarness>,
): void {
  describe(`RateLimiter conformance: ${adapter}`, () => {
    let h: RateLimiterHarness | undefined;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      const current = h;
      h = undefined;
      await current?.close();
    });
    const limiter = (limit: number, windowMs = WINDOW): Promise<RateLimiter> =>
      h!.create({ limit, windowMs });
    const key = (): string => uniqueName("rl");

    it("counts down the remaining budget, then denies with a retry delay within the window", async () => {
      const rl = await limiter(3);
      const k = key();
      for (const remaining of [2, 1, 0])
        expect(await rl.consume(k)).toEqual({ allowed: true, limit: 3, remaining, retryAfterMs: 0 });
      const denied = await rl.consume(k);
      expect(denied).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
      expect(denied.retryAfterMs).toBeGreaterThan(0);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(WINDOW);
    });

    it("frees budget as old requests slide out of the window, one by one", async () => {
      const rl = await limiter(2, 1000);
      const k = key();
      expect((await rl.consume(k)).allowed).toBe(true);
      await h!.advanceTime(500);
      expect((await rl.consume(k)).allowed).toBe(true);
      const first = await rl.consume(k);
      expect(first.allowed).toBe(false);
      expect(first.retryAfterMs).toBeGreaterThan(0);
      expect(first.retryAfterMs).toBeLessThanOrEqual(500);
      await h!.advanceTime(600);
      // The first request has slid out; the second has not.
      expect(await rl.consume(k)).toMatchObject({ allowed: true, remaining: 0 });
      const second = await rl.consume(k);
      expect(second.allowed).toBe(false);
      expect(second.retryAfterMs).toBeGreaterThan(0);
      expect(second.retryAfterMs).toBeLessThanOrEqual(400);
    });

    it("a denied request takes nothing from the budget", async () => {
      const rl = await limiter(2, 1000);
      const k = key();
      await rl.consume(k);
      await rl.consume(k);
      for (let i = 0; i < 3; i++) expect((await rl.consume(k)).allowed).toBe(false);
      await h!.advanceTime(1100);
      expect((await rl.consume(k)).remaining).toBe(1);
    });

    it("takes a multi-unit cost only when all of it fits", async () => {
      const rl = await limiter(5);
      const k = key();
      expect((await rl.consume(k, 4)).remaining).toBe(1);
      expect(await rl.consume(k, 2)).toMatchObject({ allowed: false, remaining: 1 });
      expect((await rl.consume(k, 1)).remaining).toBe(0);
    });

    it("the retry delay of a multi-unit cost waits until enough units have slid out", async () => {
      const rl = await limiter(3, 1000);
      const k = key();
      await rl.consume(k, 1);
      await h!.advanceTime(300);
      await rl.consume(k, 2);
      const one = await rl.consume(k, 1);
      expect(one.retryAfterMs).toBeGreaterThan(0);
      expect(one.retryAfterMs).toBeLessThanOrEqual(700);
      const two = await rl.consume(k, 2);
      expect(two.allowed).toBe(false);
      expect(two.retryAfterMs).toBeGreaterThan(700);
      expect(two.retryAfterMs).toBeLessThanOrEqual(1000);
    });

    it("enforce returns the decision while the budget lasts, then fails with ResourceExhausted carrying retryAfterMs", async () => {
      const rl = await limiter(2);
      const k = key();
      expect(await rl.enforce(k)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await rl.enforce(k)).toMatchObject({ allowed: true, remaining: 0 });
      const error = await expectDomainError(rl.enforce(k), "ResourceExhausted");
      expect(error.message).toContain(k);
      const retryAfterMs = error.details.retryAfterMs;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(WINDOW);
      expect(error.details).toMatchObject({ limit: 2, remaining: 0 });
    });

    it("reset restores the full budget, and resetting a key never used is harmless", async () => {
      const rl = await limiter(2);
      const k = key();
      await rl.consume(k, 2);
      expect((await rl.consume(k)).allowed).toBe(false);
      await rl.reset(k);
      expect(await rl.consume(k)).toMatchObject({ allowed: true, remaining: 1 });
      await rl.reset(key());
    });

    it("keys are independent: spending, denying or resetting one leaves the others as they were", async () => {
      const rl = await limiter(1);
      const [a, b] = [key(), key()];
      expect((await rl.consume(a)).allowed).toBe(true);
      expect((await rl.consume(b)).allowed).toBe(true);
      expect((await rl.consume(a)).allowed).toBe(false);
      await rl.reset(a);
      expect((await rl.consume(b)).allowed).toBe(false);
      expect((await rl.consume(a)).allowed).toBe(true);
    });

    it("concurrent callers never overspend the budget", async () => {
      const rl = await limiter(10);
      const k = key();
      const results = await Promise.all(Array.from({ length: 40 }, () => rl.consume(k)));
      const allowed = results.filter((r) => r.allowed);
      expect(allowed).toHaveLength(10);
      expect(allowed.map((r) => r.remaining).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    for (const cost of [0, -1, 1.5, Number.NaN, 4]) {
      it(`consume and enforce refuse a cost of ${cost} (limit 3) with InvalidArgument and take nothing`, async () => {
        const rl = await limiter(3);
        const k = key();
        for (const call of [rl.consume(k, cost), rl.enforce(k, cost)]) {
          const error = await expectDomainError(call, "InvalidArgument");
          expect(error.message).toContain("cost");
        }
        expect((await rl.consume(k)).remaining).toBe(2);
      });
    }

    it("refuses an empty key with InvalidArgument", async () => {
      const rl = await limiter(3);
      for (const call of [rl.consume(""), rl.enforce(""), rl.reset("")]) {
        const error = await expectDomainError(call, "InvalidArgument");
        expect(error.message).toContain("key");
      }
    });

    for (const [field, budget] of [
      ["limit", { limit: 0, windowMs: 1000 }],
      ["limit", { limit: 2.5, windowMs: 1000 }],
      ["windowMs", { limit: 5, windowMs: -1 }],
      ["windowMs", { limit: 5, windowMs: Number.NaN }],
    ] as const) {
      it(`refuses a budget of ${JSON.stringify(budget)} with InvalidArgument naming ${field}`, async () => {
        const error = await expectDomainError(
          Promise.resolve().then(() => h!.create(budget)),
          "InvalidArgument",
        );
        expect(error.message).toContain(field);
      });
    }
  });
}
