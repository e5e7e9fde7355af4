import { describe, expect, it } from "vitest";
import { MemoryNodeLiveness } from "./node-liveness";

describe("MemoryNodeLiveness", () => {
  it("keeps each node's newest beat, hands out a copy, and forgets a node", async () => {
    const liveness = new MemoryNodeLiveness();
    await liveness.beat("n1", 2000);
    await liveness.beat("n1", 1000);
    await liveness.beat("n2", 500);
    const beats = await liveness.lastBeats();
    expect(beats).toEqual(
      new Map([
        ["n1", 2000],
        ["n2", 500],
      ]),
    );
    await liveness.beat("n1", 3000);
    expect(beats.get("n1")).toBe(2000);
    await liveness.forget("n2");
    expect([...(await liveness.lastBeats()).entries()]).toEqual([["n1", 3000]]);
  });
});
