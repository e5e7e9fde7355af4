import { createTestDatabase } from "@limiquantix/testkit";
import { describe, expect, it } from "vitest";
import { createPgDatabase } from "../sql/pg-database";
import { createPostgresStore } from "../store";
import { loadMigrations } from "./load-migrations";
import { createMigrator } from "./migrator";

describe("migration 4 on PostgreSQL", () => {
  it("gives documents stored before a field existed that field's default, so they read in the current shape", async () => {
    const database = await createTestDatabase();
    const db = createPgDatabase(database.url);
    try {
      const all = loadMigrations();
      await createMigrator(db, { migrations: all.filter((m) => m.version < 4) }).up();
      // As an older release stored them: no stopMode, no NIC addresses, no allocations.
      await db.query("INSERT INTO projects (id, name) VALUES ('p', 'p')");
      await db.query(
        `INSERT INTO virtual_machines (id, name, project_id, spec, status) VALUES ('vm', 'vm', 'p',
          '{"cpu": {"vcpus": 1}, "memory": {"sizeMib": 512}, "disks": [], "nics": [], "desiredPowerState": "STOPPED"}',
          '{"powerState": "STOPPED", "ipAddresses": [], "conditions": [], "message": ""}')`,
      );
      await db.query(
        `INSERT INTO virtual_networks (id, name, project_id, spec, status) VALUES ('net', 'net', 'p',
          '{"type": "OVERLAY", "cidr": "10.1.0.0/24", "dhcp": {"enabled": true, "dnsServers": []}, "nodeIds": []}',
          '{"phase": "READY", "message": ""}')`,
      );
      expect(
        (await createMigrator(db, { migrations: all.filter((m) => m.version <= 4) }).up()).applied,
      ).toEqual([4]);
      const store = await createPostgresStore({ connectionString: database.url });
      try {
        const vm = await store.repos.vms.get("vm");
        expect(vm.spec.stopMode).toBe("graceful");
        expect(vm.status.nics).toEqual([]);
        const net = await store.repos.networks.get("net");
        expect(net.spec.reservedRanges).toEqual([]);
        expect(net.status.allocations).toEqual({});
      } finally {
        await store.close();
      }
    } finally {
      await db.close();
      await database.drop();
    }
  }, 60_000);
});
