import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { Path } from "@bufbuild/protobuf/reflect";

const INTEGERS = new Set<ScalarType>([
  ScalarType.INT32,
  ScalarType.INT64,
  ScalarType.UINT32,
  ScalarType.UINT64,
  ScalarType.SINT32,
  ScalarType.SINT64,
  ScalarType.FIXED32,
  ScalarType.FIXED64,
  ScalarType.SFIXED32,
  ScalarType.SFIXED64,
]);

/** isIntegerPath says whether a path ends at an integer (a field, list element or map value of an integer type). */
export function isIntegerPath(path: Path): boolean {
  const field = path.findLast((item) => item.kind === "field");
  return field?.kind === "field" && field.scalar !== undefined && INTEGERS.has(field.scalar);
}

/** messageAt gives the message type a path points at: the request's own for the empty path, else the message field's (or its list element's or map value's). */
export function messageAt(schema: DescMessage, path: Path): DescMessage | undefined {
  if (path.length === 0) return schema;
  const field = path.findLast((item) => item.kind === "field");
  return field?.kind === "field" ? field.message : undefined;
}

/** valueAt reads the value a violation's path points at, following fields (oneof members included), list indexes and map keys. */
export function valueAt(message: unknown, path: Path): unknown {
  let at = message;
  for (const item of path) {
    if (typeof at !== "object" || at === null) return undefined;
    const holder = at as Record<string, unknown>;
    switch (item.kind) {
      case "field": {
        if (item.oneof) {
          const chosen = holder[item.oneof.localName] as { case?: string; value?: unknown } | undefined;
          at = chosen?.case === item.localName ? chosen.value : undefined;
        } else at = holder[item.localName];
        break;
      }
      case "list_sub":
        at = (at as unknown[])[item.index];
        break;
      case "map_sub":
        at = holder[String(item.key)];
        break;
      default:
        return undefined;
    }
  }
  return at;
}

function shown(value: unknown): string | undefined {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return undefined;
}

const RANGE = /^must be greater than (or equal to )?(\S+) and less than (or equal to )?(\S+)$/;
const AT_LEAST = /^must be greater than or equal to (\S+)$/;
const AT_MOST = /^must be less than or equal to (\S+)$/;
const ABOVE = /^must be greater than (-?\d+)$/;

/** boundBroken says which bound of a range a number breaks, in the house style (`must be at least 512`); an integer above n is at least n + 1. */
function boundBroken(rule: string, value: unknown, integer: boolean): string {
  const range = RANGE.exec(rule);
  if (range && (typeof value === "number" || typeof value === "bigint")) {
    const [, orEqualLow, low = "", orEqualHigh, high = ""] = range;
    const n = Number(value);
    const tooLow = orEqualLow ? n < Number(low) : n <= Number(low);
    if (tooLow) return orEqualLow ? `must be at least ${low}` : `must be greater than ${low}`;
    return orEqualHigh ? `must be at most ${high}` : `must be less than ${high}`;
  }
  const atLeast = AT_LEAST.exec(rule);
  if (atLeast) return `must be at least ${atLeast[1]}`;
  const atMost = AT_MOST.exec(rule);
  if (atMost) return `must be at most ${atMost[1]}`;
  const above = ABOVE.exec(rule);
  if (above && integer) return `must be at least ${BigInt(above[1] ?? "0") + 1n}`;
  return rule;
}

/**
 * describeRule rewords protovalidate's message to follow the field name in the house style and
 * adds the value given, for scalars: `must be at least 512 (got 128)`, `must be at most 64
 * characters (got "vvv…")`.
 */
export function describeRule(message: string, value: unknown, integer = false): string {
  const rule = boundBroken(message.replace(/^value /, ""), value, integer);
  const got = shown(value);
  return got === undefined || rule.includes("(got") ? rule : `${rule} (got ${got})`;
}
