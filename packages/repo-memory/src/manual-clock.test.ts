import { describe, expect, it } from "vitest";
import { ManualClock, scheduleOn } from "./manual-clock";

describe("ManualClock", () => {
  it("starts at the given instant and moves only when told", () => {
    const clock = new ManualClock("2026-05-01T00:00:00.000Z");
    expect(clock.now().toISOString()).toBe("2026-05-01T00:00:00.000Z");
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe("2026-05-01T00:00:01.500Z");
    clock.set("2026-04-30T00:00:00.000Z");
    expect(clock.now().toISOString()).toBe("2026-04-30T00:00:00.000Z");
  });

  it("fires due timers in due order, each at its own instant, and not the ones still pending", () => {
    const clock = new ManualClock(0);
    const fired: [string, number][] = [];
    clock.schedule(300, () => fired.push(["c", clock.now().getTime()]));
    clock.schedule(100, () => fired.push(["a", clock.now().getTime()]));
    clock.schedule(100, () => fired.push(["b", clock.now().getTime()]));
    clock.schedule(900, () => fired.push(["late", clock.now().getTime()]));
    clock.advance(500);
    expect(fired).toEqual([
      ["a", 100],
      ["b", 100],
      ["c", 300],
    ]);
    expect(clock.now().getTime()).toBe(500);
    expect(clock.pendingTimers).toBe(1);
  });

  it("fires timers that a firing timer schedules when they fall inside the advance", () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.schedule(100, () => clock.schedule(100, () => fired.push(clock.now().getTime())));
    clock.advance(250);
    expect(fired).toEqual([200]);
  });

  it("a cancelled timer never fires; sleep resolves on advance", async () => {
    const clock = new ManualClock(0);
    let fired = false;
    const cancel = clock.schedule(10, () => {
      fired = true;
    });
    cancel();
    clock.advance(20);
    expect(fired).toBe(false);
    const slept = clock.sleep(1000);
    clock.advance(1000);
    await expect(slept).resolves.toBeUndefined();
  });

  it("set forward fires timers; bad input is refused", () => {
    const clock = new ManualClock(0);
    let fired = 0;
    clock.schedule(50, () => fired++);
    clock.set(60);
    expect(fired).toBe(1);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => new ManualClock("not a time")).toThrow(RangeError);
  });

  it("scheduleOn uses the manual clock's timers, and real timers for other clocks", async () => {
    const clock = new ManualClock(0);
    let manual = false;
    scheduleOn(clock, 100, () => {
      manual = true;
    });
    clock.advance(100);
    expect(manual).toBe(true);
    const real = await new Promise<boolean>((resolve) =>
      scheduleOn({ now: () => new Date() }, 1, () => resolve(true)),
    );
    expect(real).toBe(true);
  });
});
