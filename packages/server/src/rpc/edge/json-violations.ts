import {
  type DescEnum,
  type DescField,
  type DescMessage,
  fromJson,
  type JsonValue,
} from "@bufbuild/protobuf";
import type { FieldViolation } from "@limiquantix/domain";

/** MAX_LISTED_VALUES caps how many allowed enum names a message lists. */
const MAX_LISTED_VALUES = 12;

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

function shown(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

/** describeDecodeError rewords a protobuf-es JSON decoding message (`… from JSON: expected number (int32), got "x"`) as a field rule (`must be a number (int32) (got "x")`). */
export function describeDecodeError(message: string): string {
  const reason = message.replace(/^cannot decode [^:]* from JSON: /, "");
  const expected = /^expected (.+), got (.+)$/.exec(reason);
  if (!expected) return reason;
  const kind = (expected[1] ?? "").replace(/^Array\b/, "array");
  return `must be ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} (got ${expected[2]})`;
}

function enumProblem(desc: DescEnum, value: JsonValue): string | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return undefined;
  if (typeof value === "string" && desc.values.some((v) => v.name === value)) return undefined;
  if (value === null && desc.typeName === "google.protobuf.NullValue") return undefined;
  const names = desc.values.filter((v) => v.number !== 0).map((v) => v.name);
  const listed = names.length > MAX_LISTED_VALUES ? [...names.slice(0, MAX_LISTED_VALUES), "…"] : names;
  return `must be one of ${listed.join(", ")} (got ${shown(value)})`;
}

function scalarProblem(message: DescMessage, field: DescField, value: JsonValue): string | undefined {
  try {
    fromJson(message, { [field.jsonName]: value });
    return undefined;
  } catch (e) {
    return describeDecodeError(e instanceof Error ? e.message : String(e));
  }
}

/** valueViolations checks one value of a field (the field's own, a list element or a map value); probe is the field's JSON holding just that value. */
function valueViolations(
  message: DescMessage,
  field: DescField,
  kind: "scalar" | "enum" | "message",
  value: JsonValue,
  probe: JsonValue,
  path: string,
): FieldViolation[] {
  if (value === null && kind !== "enum") return [];
  switch (kind) {
    case "message":
      return field.message ? jsonViolations(field.message, value, path) : [];
    case "enum": {
      const problem = field.enum ? enumProblem(field.enum, value) : undefined;
      return problem ? [{ field: path, description: problem }] : [];
    }
    case "scalar": {
      const problem = scalarProblem(message, field, probe);
      return problem ? [{ field: path, description: problem }] : [];
    }
  }
}

function fieldViolations(
  message: DescMessage,
  field: DescField,
  value: JsonValue,
  path: string,
): FieldViolation[] {
  if (value === null) return [];
  switch (field.fieldKind) {
    case "scalar":
    case "enum":
    case "message":
      return valueViolations(message, field, field.fieldKind, value, value, path);
    case "list":
      if (!Array.isArray(value))
        return [{ field: path, description: `must be a JSON array (got ${shown(value)})` }];
      return value.flatMap((item, i) =>
        valueViolations(message, field, field.listKind, item, [item], `${path}[${i}]`),
      );
    case "map":
      if (typeof value !== "object" || Array.isArray(value))
        return [{ field: path, description: `must be a JSON object (got ${shown(value)})` }];
      return Object.entries(value).flatMap(([key, item]) =>
        valueViolations(
          message,
          field,
          field.mapKind,
          item,
          { [key]: item },
          `${path}[${JSON.stringify(key)}]`,
        ),
      );
  }
}

/**
 * jsonViolations walks a JSON request against its message type and names, by wire path
 * (`spec.memory_mib`, `states[0]`), every field it cannot take: keys that are not fields, enum
 * names that are not values, values of the wrong type. It finds what protobuf's JSON decoding
 * rejects, in terms a caller can act on; well-known types are checked whole.
 */
export function jsonViolations(message: DescMessage, value: JsonValue, path = ""): FieldViolation[] {
  if (message.typeName.startsWith("google.protobuf.")) {
    try {
      fromJson(message, value);
      return [];
    } catch (e) {
      return [
        {
          field: path === "" ? "(request)" : path,
          description: describeDecodeError(e instanceof Error ? e.message : String(e)),
        },
      ];
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return [
      { field: path === "" ? "(request)" : path, description: `must be a JSON object (got ${shown(value)})` },
    ];
  const out: FieldViolation[] = [];
  for (const [key, item] of Object.entries(value)) {
    const field = message.fields.find((f) => f.jsonName === key || f.name === key);
    if (!field) out.push({ field: join(path, key), description: `is not a field of ${message.typeName}` });
    else out.push(...fieldViolations(message, field, item, join(path, field.name)));
  }
  return out;
}
