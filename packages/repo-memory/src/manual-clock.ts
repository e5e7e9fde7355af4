import type { Clock } from "@limiquantix/domain";

/** TimerClock is a Clock that also runs timers on its own time, as ManualClock does. */
export interface TimerClock extends Clock {
  /** schedule runs fn once the clock has moved ms forward, and returns a function that cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

/** isTimerClock says whether a clock runs its own timers. */
export function isTimerClock(clock: Clock): clock is TimerClock {
  return typeof (clock as Partial<TimerClock>).schedule === "function";
}

/**
 * scheduleOn runs fn after ms on the clock's time: on a ManualClock when the test advances it,
 * on any other clock after real time passes (without keeping the process alive).
 */
export function scheduleOn(clock: Clock, ms: number, fn: () => void): () => void {
  if (isTimerClock(clock)) return clock.schedule(ms, fn);
  const handle = setTimeout(fn, Math.max(0, ms));
  handle.unref?.();
  return () => clearTimeout(handle);
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/**
 * ManualClock is a Clock whose time moves only when a test says so. `advance` fires, in due
 * order, every timer scheduled on it that falls due, each at its own instant.
 */
export class ManualClock implements TimerClock {
  private ms: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: Date | string | number = "2026-01-01T00:00:00.000Z") {
    this.ms = new Date(start).getTime();
    if (Number.isNaN(this.ms)) throw new RangeError(`ManualClock: ${String(start)} is not a time`);
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** set moves the clock to an instant; moving forward fires the timers that fall due. */
  set(to: Date | string | number): void {
    const target = new Date(to).getTime();
    if (Number.isNaN(target)) throw new RangeError(`ManualClock.set: ${String(to)} is not a time`);
    if (target <= this.ms) {
      this.ms = target;
      return;
    }
    this.advance(target - this.ms);
  }

  /** advance moves the clock forward by ms, firing due timers in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ${ms} must be a non-negative number`);
    const target = this.ms + ms;
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.ms = Math.max(this.ms, next.at);
      next.fn();
    }
    this.ms = target;
  }

  schedule(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.ms + Math.max(0, ms), seq: this.seq++, fn };
    const i = this.timers.findIndex((t) => t.at > timer.at);
    if (i < 0) this.timers.push(timer);
    else this.timers.splice(i, 0, timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** sleep resolves once the clock has been advanced by ms. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /** pendingTimers is how many timers wait to fire. */
  get pendingTimers(): number {
    return this.timers.length;
  }
}
