import { compute, common } from "@limiquantix/api";
import type { VirtualMachine } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import type { WatchEvent } from "../watch";
import { watchMessages } from "./watch-event";

async function* events(list: WatchEvent<VirtualMachine>[]) {
  yield* list;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of it) out.push(m);
  return out;
}

/** vmMessages is what a WatchVMs stream that is given these events sends. */
const vmMessages = (list: WatchEvent<VirtualMachine>[], toWire: (v: VirtualMachine) => object) =>
  collect(watchMessages(events(list), "vm", toWire, compute.WatchVMsResponseSchema));

describe("watchMessages", () => {
  it("sends every watcher of a change the same frozen message, and each its own bookmark", async () => {
    const vm = { id: "vm-1", name: "web" } as VirtualMachine;
    let conversions = 0;
    const toWire = (v: VirtualMachine) => {
      conversions++;
      return { id: v.id, name: v.name };
    };
    const seen = (): WatchEvent<VirtualMachine>[] => [
      { type: "MODIFIED", object: vm, revision: 5 },
      { type: "BOOKMARK", revision: 5 },
    ];
    const a = await vmMessages(seen(), toWire);
    const b = await vmMessages(seen(), toWire);
    expect(a[0]).toBe(b[0]);
    expect(Object.isFrozen(a[0])).toBe(true);
    expect(a[0]?.type).toBe(common.EventType.UPDATED);
    expect(a[0]?.vm?.id).toBe("vm-1");
    expect(a[0]?.resourceVersion).toBe(5n);
    expect(conversions).toBe(1);
    expect(a[1]).not.toBe(b[1]);
    expect(a[1]?.type).toBe(common.EventType.BOOKMARK);
    expect(a[1]?.vm).toBeUndefined();
  });

  it("keeps apart what differs between watchers of one change: a watcher it left is sent DELETED", async () => {
    const vm = { id: "vm-2", name: "db" } as VirtualMachine;
    const toWire = (v: VirtualMachine) => ({ id: v.id, name: v.name });
    const [kept] = await vmMessages([{ type: "MODIFIED", object: vm, revision: 9 }], toWire);
    const [left] = await vmMessages([{ type: "DELETED", object: vm, revision: 9 }], toWire);
    expect(kept?.type).toBe(common.EventType.UPDATED);
    expect(left?.type).toBe(common.EventType.DELETED);
    expect(left).not.toBe(kept);
  });
});
