import { serviceIdentifier } from "./service-identifier";

/** Clock is the source of time: engines and adapters ask it instead of `Date.now()`, so tests control time. */
export interface Clock {
  /** now is the current instant. */
  now(): Date;
}
/** Clock is the service identifier of the Clock port. */
export const Clock = serviceIdentifier<Clock>("Clock");

/** systemClock is the Clock of the machine's wall time. */
export const systemClock: Clock = { now: () => new Date() };

/** nowIso is the clock's current instant as an ISO-8601 UTC string. */
export function nowIso(clock: Clock): string {
  return clock.now().toISOString();
}
