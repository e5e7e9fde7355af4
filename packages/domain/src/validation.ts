import type { z } from "zod";
import { type DomainError, type FieldViolation, invalidArgument } from "./errors";

type Issue = z.core.$ZodIssue;
type PathSegment = PropertyKey;

/** formatPath renders a zod path as `disks[0].sizeGib`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(root)" : out;
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = input;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return String(value);
}

/** got shows the offending value; for size rules on strings and arrays, their length. */
function got(input: unknown, path: readonly PathSegment[], size = false): string {
  const v = valueAt(input, path);
  if (v === undefined) return "";
  if (size && Array.isArray(v)) return ` (got ${v.length})`;
  if (size && typeof v === "string") return ` (got ${v.length})`;
  return ` (got ${show(v)})`;
}

function bound(issue: { inclusive?: boolean }, word: "least" | "most", n: unknown, unit: string): string {
  const strict = issue.inclusive === false;
  if (word === "least") return strict ? `must be greater than ${n}${unit}` : `must be at least ${n}${unit}`;
  return strict ? `must be less than ${n}${unit}` : `must be at most ${n}${unit}`;
}

function unitOf(origin: string): string {
  if (origin === "string") return " characters";
  if (origin === "array" || origin === "set") return " items";
  return "";
}

/** describeIssue turns one zod issue into a field violation whose text names the rule and the value. */
export function describeIssue(
  issue: Issue,
  input: unknown,
  prefix: readonly PathSegment[] = [],
): FieldViolation[] {
  const path = [...prefix, ...issue.path];
  const field = formatPath(path);
  const at = issue.path;
  switch (issue.code) {
    case "invalid_type": {
      const v = valueAt(input, at);
      if (v === undefined) return [{ field, description: "is required" }];
      return [{ field, description: `must be ${article(issue.expected)} (got ${show(v)})` }];
    }
    case "too_small":
      return [
        {
          field,
          description: `${bound(issue, "least", issue.minimum, unitOf(issue.origin))}${got(input, at, true)}`,
        },
      ];
    case "too_big":
      return [
        {
          field,
          description: `${bound(issue, "most", issue.maximum, unitOf(issue.origin))}${got(input, at, true)}`,
        },
      ];
    case "not_multiple_of":
      return [{ field, description: `must be a multiple of ${issue.divisor}${got(input, at)}` }];
    case "unrecognized_keys":
      return issue.keys.map((k) => ({
        field: formatPath([...path, k]),
        description: "is not a known field",
      }));
    case "invalid_value":
      return [
        {
          field,
          description: `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}${got(input, at)}`,
        },
      ];
    case "invalid_format":
      if (issue.format === "regex" || issue.message.startsWith("must"))
        return [{ field, description: `${issue.message}${got(input, at)}` }];
      return [{ field, description: `must be a valid ${issue.format} (got ${show(valueAt(input, at))})` }];
    case "invalid_union": {
      const best = issue.errors.find((branch) => branch.length > 0);
      if (best) return best.flatMap((inner) => describeIssue(inner, valueAt(input, at), path));
      return [{ field, description: issue.message }];
    }
    case "custom":
      return [
        {
          field,
          description: /\(got /.test(issue.message) ? issue.message : `${issue.message}${got(input, at)}`,
        },
      ];
    default:
      return [{ field, description: issue.message }];
  }
}

function article(expected: string): string {
  if (expected === "int") return "an integer";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** violationsOf turns a zod error into field violations. */
export function violationsOf(
  error: z.ZodError,
  input: unknown,
  prefix: readonly PathSegment[] = [],
): FieldViolation[] {
  return error.issues.flatMap((issue) => describeIssue(issue, input, prefix));
}

/** validationError turns a zod error into an InvalidArgument DomainError. */
export function validationError(
  error: z.ZodError,
  input: unknown,
  subject?: string,
  prefix: readonly PathSegment[] = [],
): DomainError {
  return invalidArgument(violationsOf(error, input, prefix), subject);
}

/**
 * parseOrThrow validates input against a schema and returns the parsed value, or throws
 * InvalidArgument whose message names each field and rule (`memory.sizeMib must be at least 512 (got 128)`).
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  subject?: string,
  prefix: readonly PathSegment[] = [],
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error, input, subject, prefix);
}
