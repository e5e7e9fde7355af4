import type { ChangeLogEntry, Node } from "@limiquantix/domain";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import type { ChangeListener } from "../events/change-relay";
import type { ServiceDeps } from "../shared/service-deps";
import { HaController } from "./ha-controller";
import type { NodeFencing } from "./node-fencing";
import type { VmFailover } from "./vm-failover";

const WAIT = { timeout: 5000, interval: 10 };

/** nodeEntry is a change of a node in the given phase. */
function nodeEntry(
  id: string,
  phase: string,
  type: "ADDED" | "MODIFIED" = "MODIFIED",
  revision = 1,
): ChangeLogEntry {
  return {
    revision,
    kind: "Node",
    id,
    type,
    object: { id, status: { phase } } as unknown as Node,
    at: new Date().toISOString(),
  } as ChangeLogEntry;
}

describe("HaController wake-ups", () => {
  it("passes on a node's arrival and phase changes, not on heartbeats of a READY node", async () => {
    let listener: ChangeListener | undefined;
    const relay = {
      subscribe: (l: ChangeListener) => {
        listener = l;
        return () => undefined;
      },
    };
    const controller = new HaController(
      {} as ServiceDeps,
      {} as NodeFencing,
      {} as VmFailover,
      { enabled: true, intervalMs: 3_600_000 },
      pino({ level: "silent" }),
      relay,
    );
    const pass = vi
      .spyOn(controller, "pass")
      .mockResolvedValue({ fencing: [], fenced: [], fenceFailed: [], failovers: [] } as never);
    const stop = new AbortController();
    await controller.start(stop.signal);
    const feed = async (entry: ChangeLogEntry) => {
      await listener!.change(entry);
      await new Promise((r) => setTimeout(r, 80));
    };
    await feed(nodeEntry("n1", "READY", "ADDED"));
    await vi.waitFor(() => expect(pass).toHaveBeenCalledTimes(1), WAIT);
    for (let i = 0; i < 5; i++) await feed(nodeEntry("n1", "READY")); // heartbeats
    expect(pass).toHaveBeenCalledTimes(1);
    await feed(nodeEntry("n1", "NOT_READY"));
    await vi.waitFor(() => expect(pass).toHaveBeenCalledTimes(2), WAIT);
    await feed(nodeEntry("n1", "NOT_READY"));
    expect(pass).toHaveBeenCalledTimes(2);
    await feed(nodeEntry("n1", "READY"));
    await vi.waitFor(() => expect(pass).toHaveBeenCalledTimes(3), WAIT);
    stop.abort();
    await controller.stop();
  });
});
