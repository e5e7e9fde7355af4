import {
  ErrorCode,
  type Repositories,
  type VirtualMachine,
  type VirtualNetwork,
  parseOrThrow,
  VirtualMachine as VirtualMachineSchema,
} from "@limiquantix/domain";
import { bindMemoryAdapters, createMemoryAdapters } from "@limiquantix/repo-memory";
import { bindPostgresAdapters, createPostgresStore, type PostgresStore } from "@limiquantix/repo-postgres";
import { createTestDatabase, type TestDatabase } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portModule } from "../composition/backends/port-module";
import { type ControlPlane, createControlPlane } from "../composition/services";
import { ConfigSchema } from "../config/schema";
import { systemContext } from "../context/call-context";
import { allocateVmAddresses } from "./address-allocator";

// Two replicas (each its own process state: placement lock, snapshot, event bus) share one
// PostgreSQL, so only the database keeps their address allocations apart: a unit of work reads the
// network row locked, and writes it back under the resourceVersion it read.
let database: TestDatabase;
const stores: PostgresStore[] = [];
const planes: ControlPlane[] = [];
const ctx = systemContext("test");
let projectId: string;
let race: VirtualNetwork;
let full: VirtualNetwork;

async function replica(): Promise<ControlPlane> {
  const store = await createPostgresStore({ connectionString: database.url, migrate: true });
  stores.push(store);
  const memory = createMemoryAdapters();
  const plane = await createControlPlane({
    adapters: [
      portModule((b) => bindMemoryAdapters(b, memory)),
      portModule((b) => bindPostgresAdapters(b, store)),
    ],
    config: ConfigSchema.parse({}),
    logger: pino({ level: "silent" }),
  });
  planes.push(plane);
  return plane;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const first = await replica();
  await first.services.clusters.create(ctx, { name: "default", spec: {} });
  projectId = (await first.services.projects.create(ctx, { name: "default" })).id;
  await first.services.nodeAgents.register(ctx, {
    name: "n1",
    hostname: "n1.lab",
    managementIp: "10.0.0.1",
    agentAddress: "127.0.0.1:9001",
    cpu: { sockets: 1, coresPerSocket: 64, threadsPerCore: 1 },
    memoryMib: 262_144,
  });
  race = await tiny(first, "race", "10.200.0.0/29");
  full = await tiny(first, "tiny", "10.201.0.0/29");
  // The second replica starts after the node and the networks exist, so its placement snapshot holds them too.
  await replica();
}, 120_000);

afterAll(async () => {
  for (const p of planes) await p.close();
  for (const s of stores) await s.close();
  await database?.drop();
});

function tiny(plane: ControlPlane, name: string, cidr: string): Promise<VirtualNetwork> {
  return plane.services.networks.createNetwork(ctx, {
    name,
    projectId,
    spec: { type: "OVERLAY", cidr, gateway: cidr.replace(/0\/29$/, "1") },
  });
}

function unsavedVm(id: string, networkId: string): VirtualMachine {
  const now = new Date().toISOString();
  return parseOrThrow(VirtualMachineSchema, {
    id,
    name: id,
    projectId,
    labels: {},
    resourceVersion: 1,
    createdAt: now,
    updatedAt: now,
    spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 }, nics: [{ name: "eth0", networkId }] },
    status: {},
  });
}

/** pausingReads makes every network read of a unit of work wait for a gate once it has read the row. */
function pausingReads(tx: Repositories, gate: Promise<void>, read: () => void): Repositories {
  const networks = tx.networks;
  return {
    ...tx,
    networks: {
      ...networks,
      kind: networks.kind,
      get: async (id: string) => {
        const row = await networks.get(id);
        read();
        await gate;
        return row;
      },
      update: (next: VirtualNetwork) => networks.update(next),
      find: (id: string) => networks.find(id),
    },
  };
}

describe("address allocation across replicas on one PostgreSQL", () => {
  it("makes a unit of work that reads a network another is allocating from wait, then take the next address", async () => {
    const net = race;
    const [a, b] = stores;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let hasRead!: () => void;
    const readDone = new Promise<void>((resolve) => {
      hasRead = resolve;
    });
    const slow = a!.uow.run((tx) =>
      allocateVmAddresses(pausingReads(tx, gate, hasRead), unsavedVm("slow", net.id)),
    );
    await readDone;
    // The slow unit of work has read the network; the fast one, on the other replica, must not take the same address.
    let fastDone = false;
    const fast = b!.uow
      .run((tx) => allocateVmAddresses(tx, unsavedVm("fast", net.id)))
      .finally(() => {
        fastDone = true;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fastDone).toBe(false);
    open();
    expect((await slow).nics[0]?.ipAddress).toBe("10.200.0.2");
    expect((await fast).nics[0]?.ipAddress).toBe("10.200.0.3");
    const stored = await a!.repos.networks.get(net.id);
    expect(Object.keys(stored.status.allocations).sort()).toEqual(["10.200.0.2", "10.200.0.3"]);
  });

  it("lets exactly as many concurrent creates through both replicas succeed as a /29 has addresses, the rest ResourceExhausted", async () => {
    const net = full;
    const creates = Array.from({ length: 8 }, (_, i) =>
      planes[i % 2]!.services.vms.create(ctx, {
        projectId,
        name: `r-${i}`,
        spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 }, nics: [{ name: "eth0", networkId: net.id }] },
      }),
    );
    const results = await Promise.allSettled(creates);
    const ok = results
      .filter((r): r is PromiseFulfilledResult<VirtualMachine> => r.status === "fulfilled")
      .map((r) => r.value);
    const failed = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => r.reason as Error);
    expect(ok, failed.map((e) => e.message).join("\n")).toHaveLength(5);
    for (const e of failed) {
      expect(e).toMatchObject({ code: ErrorCode.ResourceExhausted });
      expect(e.message).toMatch(/network "tiny" \(10\.201\.0\.0\/29\) has no free address .*all 5 addresses/);
    }
    const held = ok.map((v) => v.status.nics[0]!.ipAddress).sort();
    expect(held).toEqual(["10.201.0.2", "10.201.0.3", "10.201.0.4", "10.201.0.5", "10.201.0.6"]);
    const stored = await stores[0]!.repos.networks.get(net.id);
    expect(
      Object.fromEntries(Object.entries(stored.status.allocations).map(([ip, a]) => [ip, a.vmId])),
    ).toEqual(Object.fromEntries(ok.map((v) => [v.status.nics[0]!.ipAddress, v.id])));
  });
});
