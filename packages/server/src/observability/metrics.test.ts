import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics";

describe("createMetrics", () => {
  it("keeps the standard names of Node's process metrics", async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(text).not.toContain("limiquantix_process_");
    expect(text).not.toContain("limiquantix_nodejs_");
  });

  it("labels RPC calls by service, method and code", async () => {
    const metrics = createMetrics();
    metrics.rpcRequests.inc({
      service: "limiquantix.compute.v1.VMService",
      method: "GetVM",
      code: "not_found",
    });
    expect(await metrics.registry.metrics()).toContain(
      'limiquantix_rpc_requests_total{service="limiquantix.compute.v1.VMService",method="GetVM",code="not_found"} 1',
    );
  });
});
