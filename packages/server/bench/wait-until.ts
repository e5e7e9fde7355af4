// Waiting in the watch bench: a pause, and polling until every watcher has what it should.

/** sleep resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** waitUntil polls `done` every 50 ms for up to `seconds`; it returns how long it waited (s, to 0.01), or undefined on time-out. */
export async function waitUntil(done: () => boolean, seconds: number): Promise<number | undefined> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > seconds * 1000) return undefined;
    await sleep(50);
  }
  return Math.round((performance.now() - started) / 10) / 100;
}
