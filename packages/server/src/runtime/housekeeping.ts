import type { Logger } from "pino";

/** HOUSEKEEPING_INTERVAL_MS is how often housekeeping jobs run: hourly. */
export const HOUSEKEEPING_INTERVAL_MS = 3_600_000;

/**
 * everyHour runs a clean-up now and then hourly (on every replica alike: removing what another
 * replica already removed is harmless), logging how many it removed and why it failed. The timer
 * does not keep the process alive; the returned function stops it.
 */
export function everyHour(logger: Logger, what: string, job: () => Promise<number>): () => Promise<void> {
  const run = () =>
    job()
      .then((removed) => {
        if (removed > 0) logger.info({ removed }, `${what}: removed`);
      })
      .catch((e: unknown) => logger.warn({ err: e }, `${what} failed`));
  const timer = setInterval(run, HOUSEKEEPING_INTERVAL_MS);
  timer.unref();
  void run();
  return async () => clearInterval(timer);
}
