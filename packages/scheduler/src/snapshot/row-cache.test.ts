import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { ClusterSnapshot } from "./cluster-snapshot";
import { RowCache } from "./row-cache";

describe("RowCache", () => {
  const setup = () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b"), node("c")] });
    const cache = new RowCache<Float64Array>(2);
    const computed: number[] = [];
    const get = (key: string) =>
      cache.get(
        snap.columns(),
        key,
        (n) => new Float64Array(n),
        (values, r) => {
          computed.push(r);
          values[r] = snap.columns().allocatedVcpus[r]!;
        },
      );
    return { snap, get, computed };
  };

  it("computes every row once, then only the rows written since", () => {
    const { snap, get, computed } = setup();
    expect([...get("k")]).toEqual([0, 0, 0]);
    expect(computed).toEqual([0, 1, 2]);
    computed.length = 0;
    expect([...get("k")]).toEqual([0, 0, 0]);
    expect(computed).toEqual([]);
    snap.upsertVm(vm("v", { nodeId: "c", vcpus: 3 }));
    expect([...get("k")]).toEqual([0, 0, 3]);
    expect(computed).toEqual([2]);
  });

  it("keeps the most recently used keys up to its limit", () => {
    const { get, computed } = setup();
    const first = get("x");
    get("y");
    get("x");
    get("z");
    computed.length = 0;
    expect(get("x")).toBe(first);
    expect(computed).toEqual([]);
    get("y");
    expect(computed).toEqual([0, 1, 2]);
  });

  it("recomputes every row when the columns forgot the writes since, or were rebuilt", () => {
    const { snap, get, computed } = setup();
    get("k");
    for (let i = 0; i < 5000; i++) snap.upsertVm(vm("v", { nodeId: i % 2 === 0 ? "a" : "b" }));
    computed.length = 0;
    expect([...get("k")]).toEqual([0, 1, 0]);
    expect(computed).toEqual([0, 1, 2]);
    snap.upsertNode(node("d"));
    computed.length = 0;
    expect([...get("k")]).toEqual([0, 1, 0, 0]);
    expect(computed).toEqual([0, 1, 2, 3]);
  });
});
