import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore } from "../../test/harness";
import { defaultMigrationsDir } from "../migrations/load-migrations";
import { decodeRow } from "./row-codec";
import { TABLES } from "./table-map";

// Every table's triggers, from whichever migration created the table.
const schema = readdirSync(defaultMigrationsDir())
  .filter((f) => f.endsWith(".up.sql"))
  .sort()
  .map((f) => readFileSync(join(defaultMigrationsDir(), f), "utf8"))
  .join("\n");

describe("the doc column", () => {
  it("is rebuilt by a trigger whose arguments are the columns of the table map, in order", () => {
    for (const map of Object.values(TABLES)) {
      // A later migration may create the trigger again: the last definition is the one in force.
      const trigger = [
        ...schema.matchAll(new RegExp(`CREATE TRIGGER ${map.table}_touch_doc .* lqx_doc\\(([^)]*)\\);`, "g")),
      ].at(-1);
      if (!map.doc) {
        expect(trigger, map.table).toBeUndefined();
        continue;
      }
      const args = trigger?.[1]?.split(", ").map((a) => a.replaceAll("'", ""));
      const expected = map.columns.map(
        (c) => `${c.column}:${c.field}${c.type === "timestamptz" ? ":timestamptz" : ""}`,
      );
      expect(args, map.table).toEqual(expected);
    }
  });

  describe.each(BACKENDS)("on $name", ({ open }) => {
    let opened: OpenedStore;
    beforeAll(async () => {
      opened = await open();
    }, 60_000);
    afterAll(() => opened?.close());

    it("holds what the columns decode to after writes made outside the repositories", async () => {
      const { db, repos } = opened.store;
      await db.query("INSERT INTO projects (id, name) VALUES ('p', 'p')");
      await db.query(
        `INSERT INTO virtual_machines (id, name, project_id, spec, status)
         VALUES ('vm-1', 'vm-1', 'p', '{"cpu":{"vcpus":2},"note":null}', '{"powerState":"STOPPED"}')`,
      );
      await db.query(
        `UPDATE virtual_machines SET labels = '{"a":"b \\"q\\""}', status = '{"powerState":"RUNNING"}',
           created_at = '2024-02-29T23:59:59.999999+02:00' WHERE id = 'vm-1'`,
      );
      const map = TABLES.VirtualMachine;
      const cols = map.columns.map((c) => `t.${c.column} AS ${c.column}`).join(", ");
      const row = (await db.query(`SELECT ${cols} FROM virtual_machines t WHERE t.id = 'vm-1'`)).rows[0]!;
      const vm = await repos.vms.get("vm-1");
      expect(vm).toEqual(decodeRow(map, row));
      const [last] = (await opened.store.changeLog.read(0, 100)).filter((e) => e.id === "vm-1").slice(-1);
      expect(vm).toMatchObject({
        resourceVersion: last?.revision,
        createdAt: "2024-02-29T21:59:59.999Z",
        labels: { a: 'b "q"' },
      });
      expect(vm).not.toHaveProperty("clusterId");
      expect(vm.spec).toEqual({ cpu: { vcpus: 2 }, note: null });
      expect((await repos.vms.list({ labelSelector: "a" })).items).toEqual([vm]);
    });
  });
});
