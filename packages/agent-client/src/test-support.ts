import { sleep } from "./client/retry-policy";

/** waitFor polls a check until it passes, so tests wait for state and never for a fixed time. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${String(last)}`);
    await sleep(10);
  }
}
