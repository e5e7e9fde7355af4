import { describe, expect, it } from "vitest";
import { WriteGate } from "./write-gate";

describe("WriteGate", () => {
  it("lets one holder through at a time, in arrival order", async () => {
    const gate = new WriteGate();
    const order: string[] = [];
    const first = await gate.acquire();
    const second = gate.run(async () => {
      order.push("second");
    });
    const third = gate.run(async () => {
      order.push("third");
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual([]);
    first();
    first();
    await Promise.all([second, third]);
    expect(order).toEqual(["second", "third"]);
  });

  it("is released when the work throws", async () => {
    const gate = new WriteGate();
    await expect(gate.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await gate.run(async () => "next")).toBe("next");
  });
});
