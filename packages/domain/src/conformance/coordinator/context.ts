import type { Coordinator } from "../../ports/coordinator";

/** CoordinatorHarness is what a coordinator adapter hands the coordinator conformance suite. */
export interface CoordinatorHarness {
  /** a new coordinator client (a new replica) on the shared backend */
  create(): Promise<Coordinator>;
  advanceTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** CoordinatorContext gives a test fresh clients and names, and closes the clients afterwards. */
export interface CoordinatorContext {
  client(): Promise<Coordinator>;
  advanceTime(ms: number): Promise<void>;
  /** name returns a lock, election or node name no other test uses. */
  name(prefix: string): string;
}

/** COORDINATOR_TEST_TIMEOUT_MS bounds each coordinator test; real-time backends (etcd) need room. */
export const COORDINATOR_TEST_TIMEOUT_MS = 20_000;

/** LEASE_TTL_MS is the lease TTL the suite uses: whole seconds, as etcd grants them. */
export const LEASE_TTL_MS = 1000;

/** dedupe drops consecutive repeats, so observers that report a leader twice still compare equal. */
export function dedupe<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => i === 0 || values[i - 1] !== v);
}
