import { z } from "zod";
import { invalidArgument } from "../errors";

/** DEFAULT_PAGE_SIZE is the page size of a list call that names none. */
export const DEFAULT_PAGE_SIZE = 100;
/** MAX_PAGE_SIZE is the largest page a list call may ask for. */
export const MAX_PAGE_SIZE = 1000;

/** PageRequest asks for one page of a list: its size and the cursor the previous page returned. */
export interface PageRequest {
  /** 1 to MAX_PAGE_SIZE; DEFAULT_PAGE_SIZE when absent. */
  readonly limit?: number;
  /** The opaque `nextCursor` of the previous page; absent for the first page. */
  readonly cursor?: string;
}

/** Page is one page of a list, the cursor of the next page (absent on the last) and the total matching the filter. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
  readonly total: number;
}

/** CursorPosition is what a cursor remembers: the sort key and id of the last item of a page. */
export interface CursorPosition {
  /** What the cursor lists (a resource kind), so a cursor of one list is refused by another. */
  readonly scope: string;
  /** The sort key of the last item returned (its id for resources, its timestamp for audit entries). */
  readonly key: string;
  /** The id of the last item returned (the tie-breaker). */
  readonly id: string;
}

const CursorJson = z.strictObject({ s: z.string(), k: z.string(), i: z.string() });

/** encodeCursor turns a position into an opaque, URL-safe cursor. */
export function encodeCursor(position: CursorPosition): string {
  const json = JSON.stringify({ s: position.scope, k: position.key, i: position.id });
  return Buffer.from(json, "utf8").toString("base64url");
}

/** decodeCursor reads a cursor made by encodeCursor for the same scope, or throws InvalidArgument. */
export function decodeCursor(cursor: string, scope: string, field = "cursor"): CursorPosition {
  let parsed: z.infer<typeof CursorJson> | undefined;
  try {
    const r = CursorJson.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    if (r.success) parsed = r.data;
  } catch {
    parsed = undefined;
  }
  if (!parsed) throw invalidArgument([{ field, description: "is not a cursor returned by this list" }]);
  if (parsed.s !== scope)
    throw invalidArgument([{ field, description: `belongs to a list of ${parsed.s}, not of ${scope}` }]);
  return { scope: parsed.s, key: parsed.k, id: parsed.i };
}

/** pageLimit validates a requested page size and applies the default. */
export function pageLimit(page: PageRequest | undefined, field = "limit"): number {
  const limit = page?.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw invalidArgument([
      { field, description: `must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${limit})` },
    ]);
  return limit;
}
