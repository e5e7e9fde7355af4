import type { IdGenerator } from "@limiquantix/domain";

/**
 * sequentialIds makes `<prefix>-000001`, `<prefix>-000002` …: deterministic ids for tests,
 * fixed-width so they sort in creation order.
 */
export function sequentialIds(prefix = "id", start = 1): IdGenerator & { readonly issued: number } {
  let n = start - 1;
  return {
    next(): string {
      n += 1;
      return `${prefix}-${String(n).padStart(6, "0")}`;
    },
    get issued(): number {
      return n - start + 1;
    },
  };
}
