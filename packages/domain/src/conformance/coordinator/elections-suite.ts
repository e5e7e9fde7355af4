import { describe, expect, it } from "vitest";
import type { Leadership } from "../../ports/coordinator";
import { eventually, expectDomainError, isSettled, sleep } from "../support";
import { COORDINATOR_TEST_TIMEOUT_MS as T, type CoordinatorContext, dedupe } from "./context";

/** electionsSuite registers tests of leader election, observation and hand-over. */
export function electionsSuite(ctx: () => CoordinatorContext): void {
  describe("elections", () => {
    it(
      "the first candidate leads at once and leader() names it on every replica",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        expect(await c2.leader(election)).toBeUndefined();
        const office = await c1.campaign(election, "replica-a");
        expect(office.election).toBe(election);
        expect(office.candidate).toBe("replica-a");
        expect(typeof office.token).toBe("number");
        expect(office.signal.aborted).toBe(false);
        expect(await c1.leader(election)).toBe("replica-a");
        expect(await c2.leader(election)).toBe("replica-a");
        await office.resign();
      },
      T,
    );

    it(
      "a second candidate waits until the leader resigns, then leads with a larger token",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        const a = await c1.campaign(election, "replica-a");
        // The order of "resigned" and "elected" shows an election before the resignation, however late.
        const order: string[] = [];
        const pending = c2.campaign(election, "replica-b").then((office) => {
          order.push("elected");
          return office;
        });
        await sleep(100); // lets the candidate queue behind the leader
        expect(await c2.leader(election)).toBe("replica-a");
        order.push("resigned");
        await a.resign();
        const b = await pending;
        expect(order).toEqual(["resigned", "elected"]);
        expect(b.token).toBeGreaterThan(a.token);
        expect(await c1.leader(election)).toBe("replica-b");
        await b.resign();
        await eventually(async () => expect(await c1.leader(election)).toBeUndefined());
      },
      T,
    );

    it(
      "among concurrent candidates on several replicas exactly one leads at a time",
      async () => {
        const clients = [await ctx().client(), await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        // Every election is counted when it happens, so two offices held at once are seen however briefly.
        let holding = 0;
        let maxHolding = 0;
        const campaigns = clients.map((c, i) =>
          c.campaign(election, `replica-${i}`).then((office) => {
            holding++;
            maxHolding = Math.max(maxHolding, holding);
            return office;
          }),
        );
        const tokens: number[] = [];
        for (let round = 0; round < 3; round++) {
          let winner: Leadership | undefined;
          await eventually(async () => {
            const settled = await Promise.all(campaigns.map((p) => isSettled(p)));
            expect(settled.filter(Boolean).length).toBe(round + 1);
          });
          const settled = await Promise.all(campaigns.map((p) => isSettled(p)));
          for (const [i, p] of campaigns.entries()) {
            if (!settled[i]) continue;
            const office = await p;
            if (!office.signal.aborted) winner = office;
          }
          expect(winner).toBeDefined();
          expect(maxHolding, "only one leader at a time").toBe(1);
          expect(await clients[0]!.leader(election)).toBe(winner!.candidate);
          tokens.push(winner!.token);
          holding--;
          await winner!.resign();
        }
        expect(maxHolding, "only one leader at a time").toBe(1);
        expect(tokens[1]!).toBeGreaterThan(tokens[0]!);
        expect(tokens[2]!).toBeGreaterThan(tokens[1]!);
      },
      T,
    );

    it(
      "observe reports the current leader at once and every change after",
      async () => {
        const [c1, c2, c3] = [await ctx().client(), await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        const seen: (string | undefined)[] = [];
        const sub = await c3.observe(election, (leader) => seen.push(leader));
        await eventually(() => expect(dedupe(seen)).toEqual([undefined]));
        const a = await c1.campaign(election, "replica-a");
        await eventually(() => expect(dedupe(seen)).toEqual([undefined, "replica-a"]));
        const pending = c2.campaign(election, "replica-b");
        await sleep(50);
        await a.resign();
        const b = await pending;
        await eventually(() => expect(dedupe(seen)).toEqual([undefined, "replica-a", "replica-b"]));
        await b.resign();
        await eventually(() =>
          expect(dedupe(seen)).toEqual([undefined, "replica-a", "replica-b", undefined]),
        );
        await sub.unsubscribe();
        const witnessed: (string | undefined)[] = [];
        const witness = await c3.observe(election, (leader) => witnessed.push(leader));
        await eventually(() => expect(dedupe(witnessed)).toEqual([undefined]));
        const again = await c1.campaign(election, "replica-c");
        // Barrier: another observer on the same client heard the change.
        await eventually(() => expect(dedupe(witnessed)).toEqual([undefined, "replica-c"]));
        expect(dedupe(seen)).toEqual([undefined, "replica-a", "replica-b", undefined]);
        await witness.unsubscribe();
        await again.resign();
      },
      T,
    );

    it(
      "an observer that joins while someone leads hears that leader first",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        const a = await c1.campaign(election, "replica-a");
        const seen: (string | undefined)[] = [];
        const sub = await c2.observe(election, (leader) => seen.push(leader));
        await eventually(() => expect(seen[0]).toBe("replica-a"));
        await sub.unsubscribe();
        await a.resign();
      },
      T,
    );

    it(
      "resign is safe to repeat and aborts the office's signal",
      async () => {
        const c1 = await ctx().client();
        const election = ctx().name("election");
        const office = await c1.campaign(election, "replica-a");
        await office.resign();
        await office.resign();
        expect(office.signal.aborted).toBe(true);
        expect(await c1.leader(election)).toBeUndefined();
      },
      T,
    );

    it(
      "closing the leader's client hands office to the next candidate and aborts the old office",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        const a = await c1.campaign(election, "replica-a");
        const pending = c2.campaign(election, "replica-b");
        await sleep(50);
        await c1.close();
        const b = await pending;
        expect(a.signal.aborted).toBe(true);
        expect(b.token).toBeGreaterThan(a.token);
        expect(await c2.leader(election)).toBe("replica-b");
        await b.resign();
      },
      T,
    );

    it(
      "a campaign not won within timeoutMs fails with Unavailable and leaves no candidacy behind",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const election = ctx().name("election");
        const a = await c1.campaign(election, "replica-a");
        const pending = c2.campaign(election, "replica-b", { timeoutMs: 1000 });
        pending.catch(() => undefined);
        await sleep(50);
        await ctx().advanceTime(1500);
        await expectDomainError(pending, "Unavailable");
        await a.resign();
        // Barrier: a new candidate is elected at once, which it could not be behind a leftover candidacy.
        const next = c1.campaign(election, "replica-c");
        next.catch(() => undefined);
        await eventually(async () =>
          expect(await isSettled(next), "no candidacy may be left ahead of a new candidate").toBe(true),
        );
        const c = await next;
        expect(c.candidate).toBe("replica-c");
        expect(await c2.leader(election)).toBe("replica-c");
        await c.resign();
      },
      T,
    );

    it(
      "elections of different names are independent",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const a = await c1.campaign(ctx().name("election-a"), "replica-a");
        const b = await c2.campaign(ctx().name("election-b"), "replica-b");
        expect(a.signal.aborted || b.signal.aborted).toBe(false);
        await Promise.all([a.resign(), b.resign()]);
      },
      T,
    );
  });
}
