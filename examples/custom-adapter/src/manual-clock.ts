import type { Clock } from "@limiquantix/domain";

/** ManualClock is a Clock that moves only when told to, so TTL tests take no real time. */
export class ManualClock implements Clock {
  private ms: number;

  constructor(start = "2026-01-01T00:00:00.000Z") {
    this.ms = Date.parse(start);
  }

  now(): Date {
    return new Date(this.ms);
  }

  /** advance moves time forward by ms milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }
}
