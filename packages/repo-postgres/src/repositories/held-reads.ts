import type { ReadHint } from "@limiquantix/domain";
import { TABLES, type TableMap } from "./table-map";

/** heldKey is the key under which a unit of work holds a row it read or wrote: its table and id. */
export const heldKey = (table: string, id: string): string => `${table}\u0000${id}`;

/** HeldReads are statements reading rows as a unit of work's repositories would, and the key each row is held under. */
export interface HeldReads {
  readonly statements: readonly string[];
  readonly keys: readonly string[];
}

/**
 * heldReads turns a unit of work's read hints into the statements its repositories would run for
 * them (a locking read of the stored document), with the id inlined by `quote`, so they can be
 * sent with BEGIN. A kind read from its columns rather than a document, an id no row can have and
 * a hint given twice are left out: the work reads those itself, as without hints.
 */
export function heldReads(hints: readonly ReadHint[], quote: (value: string) => string): HeldReads {
  const statements: string[] = [];
  const keys: string[] = [];
  for (const hint of hints) {
    // A kind this store does not know (a caller's mistake) is left to the work too.
    const map: TableMap | undefined = TABLES[hint.kind];
    const id = hint.id;
    if (!map?.doc || typeof id !== "string" || id === "" || id.length > 255 || id.includes("\u0000"))
      continue;
    const key = heldKey(map.table, id);
    if (keys.includes(key)) continue;
    keys.push(key);
    statements.push(
      `SELECT t.doc AS doc FROM ${map.table} t WHERE t.id = ${quote(id)} LIMIT 1 FOR UPDATE OF t`,
    );
  }
  return { statements, keys };
}
