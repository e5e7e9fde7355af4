import { compute } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

describe("RegisterNode", () => {
  it("takes one thread per core when the agent leaves threads_per_core out, as proto3 lets it", async () => {
    const nodes = h.client(compute.NodeService);
    const { node } = await nodes.registerNode({
      name: "no-smt",
      spec: {
        hostname: "no-smt.lab",
        managementIp: "10.0.0.9",
        agentAddress: "127.0.0.1:9999",
        cpu: { sockets: 2, coresPerSocket: 8 },
        memoryMib: 32768n,
      },
    });
    expect(node?.spec?.cpu).toMatchObject({ sockets: 2, coresPerSocket: 8, threadsPerCore: 1 });
    expect(node?.status?.allocatable?.vcpus).toBe(16);
    // What the server answered can be sent back as it is.
    const { node: echoed } = await nodes.updateNode({
      id: node!.id,
      spec: node!.spec,
      labels: { rack: "r1" },
    });
    expect(echoed?.labels).toEqual({ rack: "r1" });
  });
});
