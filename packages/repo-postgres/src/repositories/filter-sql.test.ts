import { parseLabelSelector } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { filterSql, pathExpr, SqlParams, selectorSql } from "./filter-sql";
import { TABLES } from "./table-map";

describe("selectorSql", () => {
  it("merges equalities into one containment the GIN index answers", () => {
    const params = new SqlParams();
    const sql = selectorSql(parseLabelSelector("env=prod,tier=web"), params);
    expect(sql).toEqual(["t.labels @> $1::text::jsonb"]);
    expect(JSON.parse(params.values[0] as string)).toEqual({ env: "prod", tier: "web" });
  });

  it("turns in into an OR of containments and exists into a test of the indexed label keys", () => {
    const params = new SqlParams();
    const sql = selectorSql(parseLabelSelector("zone in (a,b),gpu"), params);
    expect(sql).toEqual([
      "(t.labels @> $1::text::jsonb OR t.labels @> $2::text::jsonb)",
      "lqx_label_keys(t.labels) @> ARRAY[$3::text]",
    ]);
  });

  it("negates for !=, notin and !exists", () => {
    const params = new SqlParams();
    const sql = selectorSql(parseLabelSelector("env!=prod,tier notin (web),!old"), params);
    expect(sql).toEqual([
      "NOT (t.labels @> $1::text::jsonb)",
      "NOT (t.labels @> $2::text::jsonb)",
      "NOT (lqx_label_keys(t.labels) @> ARRAY[$3::text])",
    ]);
  });

  it("matches nothing when one key must equal two values", () => {
    expect(selectorSql(parseLabelSelector("env=prod,env=dev"), new SqlParams())).toEqual(["false"]);
  });
});

describe("pathExpr and filterSql", () => {
  it("reads filter paths from generated columns where there is one", () => {
    expect(pathExpr(TABLES.VirtualMachine, "status.nodeId")).toBe("t.node_id");
    expect(pathExpr(TABLES.VirtualMachine, "projectId")).toBe("t.project_id");
    expect(pathExpr(TABLES.Project, "quota.vcpus")).toBe("(t.quota #>> '{vcpus}')");
  });

  it("binds every value as a parameter, never into the SQL text", () => {
    const params = new SqlParams();
    const sql = filterSql(
      TABLES.VirtualMachine,
      {
        equals: [{ key: "projectId", path: "projectId", value: "p'; DROP TABLE x; --" }],
        states: { path: "status.powerState", values: ["RUNNING", "STOPPED"] },
        selector: [],
      },
      params,
    );
    expect(sql).toEqual(["t.project_id = $1::text", "t.power_state IN ($2::text, $3::text)"]);
    expect(params.values).toEqual(["p'; DROP TABLE x; --", "RUNNING", "STOPPED"]);
  });
});
