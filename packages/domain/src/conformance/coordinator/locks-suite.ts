import { describe, expect, it } from "vitest";
import type { LockHandle } from "../../ports/coordinator";
import { expectDomainError, sleep } from "../support";
import { COORDINATOR_TEST_TIMEOUT_MS as T, type CoordinatorContext } from "./context";

/** locksSuite registers tests of mutual exclusion and fencing tokens. */
export function locksSuite(ctx: () => CoordinatorContext): void {
  describe("locks", () => {
    it(
      "lock grants a free lock with a token; tryLock returns undefined while it is held",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const held = await c1.lock(name);
        expect(held.name).toBe(name);
        expect(typeof held.token).toBe("number");
        expect(held.signal.aborted).toBe(false);
        expect(await c2.tryLock(name)).toBeUndefined();
        expect(await c1.tryLock(name)).toBeUndefined();
        await held.release();
        const next = await c2.tryLock(name);
        expect(next).toBeDefined();
        expect(next!.token).toBeGreaterThan(held.token);
        await next!.release();
      },
      T,
    );

    it(
      "a second lock waits until the holder releases",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const first = await c1.lock(name);
        // The order of "released" and "granted" shows a grant before the release, however late.
        const order: string[] = [];
        const second = c2.lock(name).then((h) => {
          order.push("granted");
          return h;
        });
        await sleep(100); // lets the waiter queue behind the holder
        order.push("released");
        await first.release();
        const granted = await second;
        expect(order).toEqual(["released", "granted"]);
        expect(granted.token).toBeGreaterThan(first.token);
        await granted.release();
      },
      T,
    );

    it(
      "waiters are granted one at a time, never two holders at once",
      async () => {
        const clients = [await ctx().client(), await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        let holders = 0;
        let maxHolders = 0;
        const tokens: number[] = [];
        await Promise.all(
          clients.map(async (c) => {
            const h = await c.lock(name);
            holders++;
            maxHolders = Math.max(maxHolders, holders);
            tokens.push(h.token);
            await sleep(20);
            holders--;
            await h.release();
          }),
        );
        expect(maxHolders).toBe(1);
        expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
        expect(new Set(tokens).size).toBe(3);
      },
      T,
    );

    it(
      "a lock that is not granted within timeoutMs fails with Unavailable and leaves the lock usable",
      async () => {
        const [c1, c2, c3] = [await ctx().client(), await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const held = await c1.lock(name);
        const waiting = c2.lock(name, { timeoutMs: 1000 });
        waiting.catch(() => undefined);
        await sleep(50);
        await ctx().advanceTime(1500);
        await expectDomainError(waiting, "Unavailable");
        await held.release();
        const after = await c3.tryLock(name);
        expect(after, "the timed-out waiter must not hold or block the lock").toBeDefined();
        await after!.release();
      },
      T,
    );

    it(
      "aborting the signal gives up waiting, and the lock is never granted to the aborted waiter",
      async () => {
        const [c1, c2, c3] = [await ctx().client(), await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const held = await c1.lock(name);
        const controller = new AbortController();
        const waiting = c2.lock(name, { signal: controller.signal });
        waiting.catch(() => undefined);
        await sleep(50);
        controller.abort();
        await expect(waiting).rejects.toBeDefined();
        await held.release();
        const after = await c3.tryLock(name);
        expect(after).toBeDefined();
        await after!.release();
        const already = new AbortController();
        already.abort();
        await expect(c2.lock(name, { signal: already.signal })).rejects.toBeDefined();
      },
      T,
    );

    it(
      "locks of different names do not exclude each other",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const a = await c1.lock(ctx().name("lock-a"));
        const b = await c2.lock(ctx().name("lock-b"));
        expect(a.signal.aborted || b.signal.aborted).toBe(false);
        await Promise.all([a.release(), b.release()]);
      },
      T,
    );

    it(
      "fencing tokens grow with every grant of a name, whichever client takes it",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const tokens: number[] = [];
        for (let i = 0; i < 6; i++) {
          const h: LockHandle = await (i % 2 === 0 ? c1 : c2).lock(name);
          tokens.push(h.token);
          await h.release();
        }
        for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
      },
      T,
    );

    it(
      "release is safe to repeat and an old handle never releases a later holder",
      async () => {
        const [c1, c2, c3] = [await ctx().client(), await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const first = await c1.lock(name);
        await first.release();
        await first.release();
        const second = await c2.lock(name);
        await first.release();
        expect(await c3.tryLock(name)).toBeUndefined();
        await second.release();
      },
      T,
    );

    it(
      "closing a client releases its locks and the next waiter gets them",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const name = ctx().name("lock");
        const held = await c1.lock(name);
        const waiting = c2.lock(name);
        await sleep(50);
        await c1.close();
        const granted = await waiting;
        expect(granted.token).toBeGreaterThan(held.token);
        await granted.release();
      },
      T,
    );
  });
}
