import { internal, type LabelSelector, type NormalizedFilter } from "@limiquantix/domain";
import type { TableMap } from "./table-map";

/** SqlParams collects the parameters of a statement and hands out their `$n` placeholders. */
export class SqlParams {
  readonly values: unknown[] = [];
  /** add binds a value and returns its placeholder. */
  add(value: unknown, cast = ""): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/** pathExpr is the SQL (text-valued) expression of a dotted path of a kind, on table alias `t`. */
export function pathExpr(map: TableMap, path: string): string {
  const dedicated = map.pathColumns[path];
  if (dedicated) return `t.${dedicated}`;
  const [head, ...rest] = path.split(".");
  const col = map.columns.find((c) => c.field === head);
  if (!col) throw internal(`no column holds ${map.kind}.${path}: add it to the table map`);
  if (rest.length === 0) return `t.${col.column}`;
  if (col.type !== "json") throw internal(`${map.kind}.${head} is not JSON, so ${path} cannot be read`);
  if (!rest.every((s) => /^[A-Za-z0-9_]+$/.test(s))) throw internal(`unsafe path ${path}`);
  return `(t.${col.column} #>> '{${rest.join(",")}}')`;
}

const contains = (params: SqlParams, labels: Record<string, string>) =>
  `t.labels @> ${params.add(JSON.stringify(labels), "::text::jsonb")}`;

/**
 * selectorSql turns a label selector into conditions the GIN index on labels answers:
 * equalities merge into one `@>`, `in` is an OR of `@>`, `exists` tests the array of label keys
 * (its own GIN index); the negative forms
 * wrap the same in NOT (they also match resources without the label, as selectors require).
 */
export function selectorSql(selector: LabelSelector, params: SqlParams): string[] {
  const out: string[] = [];
  const equal: Record<string, string> = {};
  let conflicting = false;
  for (const r of selector) {
    if (r.operator !== "=") continue;
    const value = r.values[0]!;
    if (Object.hasOwn(equal, r.key) && equal[r.key] !== value) conflicting = true;
    equal[r.key] = value;
  }
  if (conflicting) return ["false"];
  if (Object.keys(equal).length > 0) out.push(contains(params, equal));
  for (const r of selector) {
    const anyOf = () => r.values.map((v) => contains(params, { [r.key]: v })).join(" OR ");
    switch (r.operator) {
      case "=":
        break;
      case "in":
        out.push(`(${anyOf()})`);
        break;
      case "!=":
      case "notin":
        out.push(`NOT (${anyOf()})`);
        break;
      case "exists":
        out.push(`lqx_label_keys(t.labels) @> ARRAY[${params.add(r.key, "::text")}]`);
        break;
      case "!exists":
        out.push(`NOT (lqx_label_keys(t.labels) @> ARRAY[${params.add(r.key, "::text")}])`);
        break;
    }
  }
  return out;
}

/** filterSql turns a normalized list filter into SQL conditions on table alias `t` (an empty list matches all). */
export function filterSql(map: TableMap, filter: NormalizedFilter, params: SqlParams): string[] {
  const out: string[] = [];
  for (const e of filter.equals) out.push(`${pathExpr(map, e.path)} = ${params.add(e.value, "::text")}`);
  if (filter.states) {
    const list = filter.states.values.map((v) => params.add(String(v), "::text")).join(", ");
    out.push(`${pathExpr(map, filter.states.path)} IN (${list})`);
  }
  out.push(...selectorSql(filter.selector, params));
  return out;
}

/** whereClause joins conditions into a WHERE clause (or nothing). */
export function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? "" : ` WHERE ${conditions.join(" AND ")}`;
}
