import { ErrorCode, hasErrorCode } from "@limiquantix/domain";

/** MAX_ATTEMPTS bounds how often a unit of work is run again after losing a race. */
const MAX_ATTEMPTS = 5;

/**
 * retryOnConflict runs a unit of work again when it fails with Conflict, which is how a store
 * reports that a concurrent write changed what the work read (a stale version, a PostgreSQL
 * deadlock): the work wrote nothing, so running it again on fresh reads is safe. Use it only for
 * work that checks no version the caller gave, whose Conflict would come back every time.
 */
export async function retryOnConflict<R>(work: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!hasErrorCode(e, ErrorCode.Conflict) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}
