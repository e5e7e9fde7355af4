import { DomainError, ErrorCode, invalidArgument } from "../errors";
import type { FencingToken } from "./coordinator";

/**
 * WriteFence names the office a write is made under (an election or a lock) and the fencing
 * token of its grant. A store that is handed one remembers the largest token it has seen for the
 * name and refuses, in the writing transaction, a write that carries a smaller one: a leader that
 * was deposed while paused (a stopped process, a long GC, a partition) cannot write after its
 * successor has, even if it has not noticed yet.
 */
export interface WriteFence {
  readonly name: string;
  readonly token: FencingToken;
}

/** FENCED is the `reason` in the details of the error for a write refused by its fence. */
export const FENCED = "fenced";

/**
 * fencedOut builds the error for a write whose token is older than the newest one the store has
 * seen for its name: FailedPrecondition, details `{ reason: "fenced", name, token, newestToken }`.
 */
export function fencedOut(fence: WriteFence, newestToken: FencingToken): DomainError {
  return new DomainError(
    ErrorCode.FailedPrecondition,
    `write refused: "${fence.name}" was granted again (token ${newestToken}) after this holder's grant ` +
      `(token ${fence.token}); the holder was deposed and must stop acting on its grant`,
    { reason: FENCED, name: fence.name, token: fence.token, newestToken },
  );
}

/** isFencedOut says whether a thrown value is the error of fencedOut. */
export function isFencedOut(value: unknown): value is DomainError {
  return value instanceof DomainError && value.details.reason === FENCED;
}

/** checkWriteFence refuses a fence whose name is empty (or over 256 characters) or whose token is not a positive safe integer. */
export function checkWriteFence(fence: WriteFence, field = "fence"): WriteFence {
  if (fence === null || typeof fence !== "object")
    throw invalidArgument([{ field, description: "must be an object: { name, token }" }]);
  const { name, token } = fence;
  if (typeof name !== "string" || name.length === 0 || name.length > 256)
    throw invalidArgument([
      { field: `${field}.name`, description: "must be a string of 1 to 256 characters" },
    ]);
  if (typeof token !== "number" || !Number.isSafeInteger(token) || token < 1)
    throw invalidArgument([
      {
        field: `${field}.token`,
        description: `must be a fencing token: an integer of at least 1 (got ${String(token)})`,
      },
    ]);
  return fence;
}
