import { describe, expect, it } from "vitest";
import { ErrorCode, hasErrorCode } from "./errors";
import { decodeCursor, encodeCursor, pageLimit } from "./ports/pagination";
import { uuidV7Generator } from "./ports/id-generator";
import {
  matchesFilter,
  normalizeFilter,
  prepareCreate,
  prepareUpdate,
  uniqueKeyOf,
} from "./resource-support";
import { RESOURCES } from "./resources";

const now = "2026-01-01T00:00:00.000Z";
const later = "2026-01-01T00:00:05.000Z";
const vmInput = {
  id: "vm-1",
  name: "web-1",
  projectId: "p1",
  labels: { app: "web" },
  spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 1024 } },
  status: { powerState: "RUNNING", nodeId: "n1" },
};

describe("prepareCreate / prepareUpdate", () => {
  it("assigns version 1 and both timestamps, applying schema defaults", () => {
    const vm = prepareCreate(RESOURCES.VirtualMachine, vmInput, now);
    expect(vm).toMatchObject({ resourceVersion: 1, createdAt: now, updatedAt: now });
    expect(vm.spec.desiredPowerState).toBe("STOPPED");
  });

  it("ignores caller-supplied server-managed fields", () => {
    const vm = prepareCreate(
      RESOURCES.VirtualMachine,
      { ...vmInput, resourceVersion: 99, createdAt: later },
      now,
    );
    expect(vm.resourceVersion).toBe(1);
    expect(vm.createdAt).toBe(now);
  });

  it("refuses invalid input with InvalidArgument naming the kind", () => {
    try {
      prepareCreate(RESOURCES.VirtualMachine, { ...vmInput, name: "Web_1" }, now);
      throw new Error("expected failure");
    } catch (e) {
      expect(hasErrorCode(e, ErrorCode.InvalidArgument)).toBe(true);
      expect((e as Error).message).toMatch(/^invalid VirtualMachine: name must be a DNS label/);
    }
  });

  it("bumps the version, keeps createdAt and never moves updatedAt backwards", () => {
    const vm = prepareCreate(RESOURCES.VirtualMachine, vmInput, later);
    const next = prepareUpdate(
      RESOURCES.VirtualMachine,
      { ...vm, createdAt: now, labels: { app: "api" } },
      vm,
      now,
    );
    expect(next).toMatchObject({
      resourceVersion: 2,
      createdAt: later,
      updatedAt: later,
      labels: { app: "api" },
    });
  });
});

describe("filters", () => {
  const vm = prepareCreate(RESOURCES.VirtualMachine, vmInput, now);

  it("compares each supported key at its path", () => {
    const f = normalizeFilter(RESOURCES.VirtualMachine, {
      nodeId: "n1",
      states: ["RUNNING"],
      labelSelector: "app=web",
    });
    expect(matchesFilter(f, vm)).toBe(true);
    expect(matchesFilter(normalizeFilter(RESOURCES.VirtualMachine, { nodeId: "n2" }), vm)).toBe(false);
    expect(matchesFilter(normalizeFilter(RESOURCES.VirtualMachine, { states: ["STOPPED"] }), vm)).toBe(false);
    expect(matchesFilter(normalizeFilter(RESOURCES.VirtualMachine, { labelSelector: "app!=web" }), vm)).toBe(
      false,
    );
  });

  it("refuses a key the kind does not support, and unknown keys", () => {
    expect(() => normalizeFilter(RESOURCES.Project, { nodeId: "n1" })).toThrow(
      "filter.nodeId does not apply to Project",
    );
    expect(() => normalizeFilter(RESOURCES.VirtualMachine, { colour: "red" } as never)).toThrow(
      "filter.colour is not a known filter",
    );
  });

  it("exempts resources with an absent unique-key field", () => {
    expect(uniqueKeyOf(["projectId", "name"], { name: "x" })).toBeUndefined();
    expect(uniqueKeyOf(["projectId", "name"], { projectId: "p", name: "x" })).toBe('["p","x"]');
  });
});

describe("pagination helpers", () => {
  it("round-trips a cursor and refuses one from another list", () => {
    const c = encodeCursor({ scope: "VirtualMachine", key: "a", id: "a" });
    expect(decodeCursor(c, "VirtualMachine")).toEqual({ scope: "VirtualMachine", key: "a", id: "a" });
    expect(() => decodeCursor(c, "Node")).toThrow(/belongs to a list of VirtualMachine/);
    expect(() => decodeCursor("garbage!", "Node")).toThrow(/is not a cursor/);
  });

  it("validates page sizes", () => {
    expect(pageLimit(undefined)).toBe(100);
    expect(pageLimit({ limit: 1000 })).toBe(1000);
    expect(() => pageLimit({ limit: 0 })).toThrow("limit must be an integer from 1 to 1000 (got 0)");
    expect(() => pageLimit({ limit: 1.5 })).toThrow(/limit/);
  });
});

describe("uuidV7Generator", () => {
  it("makes unique ids that sort in creation order, even within one millisecond", () => {
    const gen = uuidV7Generator(() => 1_700_000_000_000);
    const ids = Array.from({ length: 5000 }, () => gen.next());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Random bytes are drawn for many ids at once: every id still gets its own (48 random bits here).
    expect(new Set(ids.map((id) => id.slice(-12))).size).toBe(ids.length);
  });
});
