import { getPath } from "@limiquantix/domain";
import type { SqlExecutor } from "../sql/executor";
import { pathExpr, SqlParams, whereClause } from "./filter-sql";
import { castOf } from "./row-codec";
import type { TableMap } from "./table-map";
import { duplicateId, duplicateKey } from "./write-errors";

/** From adds what a statement's source needs to `params` and returns that source (a subquery or a CTE's name). */
export type From = (params: SqlParams) => string;

/**
 * insertStatement inserts a row of encoded values (their parameters added to `params`, then
 * `from`'s), selecting from `from`'s source and returning the row's resource_version; a taken id
 * or key inserts nothing (ON CONFLICT DO NOTHING keeps a duplicate from aborting a unit of work's
 * transaction).
 */
export function insertStatement(
  map: TableMap,
  params: SqlParams,
  encoded: readonly unknown[],
  from: From,
): string {
  const names = map.columns.map((c) => c.column).join(", ");
  const values = map.columns.map((c, i) => params.add(encoded[i], castOf(c))).join(", ");
  return (
    `INSERT INTO ${map.table} (${names}) SELECT ${values} FROM ${from(params)} ` +
    "ON CONFLICT DO NOTHING RETURNING resource_version"
  );
}

/**
 * updateStatement replaces the row of the encoded values (by their id) if its version is still
 * `expected`, joined with `from`'s source, returning the row's new resource_version (no row
 * otherwise). The creation time is never rewritten.
 */
export function updateStatement(
  map: TableMap,
  params: SqlParams,
  encoded: readonly unknown[],
  expected: number,
  from: From,
): string {
  const sets: string[] = [];
  let id = "";
  map.columns.forEach((c, i) => {
    if (c.field === "id") id = params.add(encoded[i], "::text");
    else if (c.field !== "createdAt") sets.push(`${c.column} = ${params.add(encoded[i], castOf(c))}`);
  });
  const version = params.add(expected, "::bigint");
  return (
    `UPDATE ${map.table} AS t SET ${sets.join(", ")} FROM ${from(params)} ` +
    `WHERE t.id = ${id} AND t.resource_version = ${version} RETURNING t.resource_version`
  );
}

/** duplicateError says which of an entity's id or unique keys kept its insert out (AlreadyExists). */
export async function duplicateError(
  map: TableMap,
  db: SqlExecutor,
  entity: { readonly id: string },
): Promise<Error> {
  const byId = await db.query(`SELECT 1 FROM ${map.table} t WHERE t.id = $1::text`, [entity.id]);
  if (byId.rows.length > 0) return duplicateId(map, entity.id);
  for (const fields of Object.values(map.uniqueConstraints)) {
    const values = fields.map((f) => getPath(entity, f));
    if (values.some((v) => v === undefined || v === null)) continue;
    const params = new SqlParams();
    const where = fields.map((f, i) => `${pathExpr(map, f)} = ${params.add(String(values[i]), "::text")}`);
    const res = await db.query(`SELECT 1 FROM ${map.table} t${whereClause(where)}`, params.values);
    if (res.rows.length > 0) return duplicateKey(map, fields, values);
  }
  return duplicateId(map, entity.id);
}
