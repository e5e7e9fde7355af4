import { invalidArgument } from "@limiquantix/domain";

/** requireName validates an election, lock or node name: non-empty, printable, without "/". */
export function requireName(field: string, name: unknown): string {
  if (typeof name !== "string" || name.length === 0) {
    throw invalidArgument([{ field, description: "must be a non-empty string" }]);
  }
  // "/" would let one name's queue prefix contain another's keys ("a/" holds "a/b/…").
  if (name.includes("/") || /\s/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
    throw invalidArgument([
      { field, description: `must not contain "/", spaces or control characters (got "${name}")` },
    ]);
  }
  return name;
}

/** requirePrefix validates a key prefix: empty, or ending with "/". */
export function requirePrefix(field: string, prefix: unknown): string {
  if (typeof prefix !== "string" || (prefix.length > 0 && !prefix.endsWith("/"))) {
    throw invalidArgument([
      { field, description: `must be empty or end with "/" (got ${JSON.stringify(prefix)})` },
    ]);
  }
  return prefix;
}
