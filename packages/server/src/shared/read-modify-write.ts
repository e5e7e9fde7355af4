import { ErrorCode, conflict, hasErrorCode, type Repository, type Resource } from "@limiquantix/domain";

/** MAX_ATTEMPTS bounds how often a read-modify-write retries after losing a race. */
const MAX_ATTEMPTS = 5;

/**
 * readModifyWrite applies change to the stored resource and writes it back. With
 * expectedVersion the caller's view must be current (a stale one is Conflict, as the API
 * promises); without it, a lost race is retried on a fresh read, so server-side edits such as
 * cordon never fail because a heartbeat landed in between.
 */
export async function readModifyWrite<T extends Resource>(
  repo: Pick<Repository<T, unknown>, "kind" | "get" | "update">,
  id: string,
  change: (current: T) => T | Promise<T>,
  expectedVersion?: number,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const current = await repo.get(id);
    if (expectedVersion !== undefined && current.resourceVersion !== expectedVersion)
      throw conflict(repo.kind, id, expectedVersion, current.resourceVersion);
    const next = await change(current);
    try {
      return await repo.update(next);
    } catch (e) {
      if (expectedVersion === undefined && hasErrorCode(e, ErrorCode.Conflict) && attempt < MAX_ATTEMPTS)
        continue;
      throw e;
    }
  }
}
