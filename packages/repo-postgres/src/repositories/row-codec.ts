import type { Resource } from "@limiquantix/domain";
import type { SqlRow } from "../sql/executor";
import type { Column, TableMap } from "./table-map";

/** castOf is the SQL cast of a bound parameter of a column type; JSON goes through text so both drivers bind it alike. */
export function castOf(column: Column): string {
  switch (column.type) {
    case "json":
      return "::text::jsonb";
    case "int":
      return "::int";
    case "bigint":
      return "::bigint";
    case "bool":
      return "::boolean";
    case "timestamptz":
      return "::timestamptz";
    case "text":
      return "::text";
  }
}

/** encodeRow returns the parameter of each column for an entity, in column order (null for an absent field). */
export function encodeRow(
  map: TableMap,
  entity: Resource,
  overrides: Readonly<Record<string, unknown>> = {},
): unknown[] {
  const record = entity as unknown as Record<string, unknown>;
  return map.columns.map((col) => {
    const value = col.field in overrides ? overrides[col.field] : record[col.field];
    if (value === undefined || value === null) return null;
    return col.type === "json" ? JSON.stringify(value) : value;
  });
}

function isoOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(String(value)).toISOString();
}

/** decodeRow rebuilds an entity from a row: NULL columns are absent fields, timestamps ISO strings. */
export function decodeRow<T extends Resource>(map: TableMap, row: SqlRow): T {
  const out: Record<string, unknown> = {};
  for (const col of map.columns) {
    const value = row[col.column];
    if (value === null || value === undefined) continue;
    if (col.type === "timestamptz") out[col.field] = isoOf(value);
    // pg hands bigint out as a string, to keep precision; revisions stay below 2^53.
    else if (col.type === "bigint") out[col.field] = Number(value);
    else if (col.type === "json" && typeof value === "string") out[col.field] = JSON.parse(value);
    else out[col.field] = value;
  }
  return out as T;
}
