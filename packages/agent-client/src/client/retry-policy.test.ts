import { hasErrorCode, notFound, unavailable } from "@limiquantix/domain";
import { describe, expect, it, vi } from "vitest";
import { resolveRetry, retryPolicy } from "./retry-policy";

const isUnavailable = (error: Error) => hasErrorCode(error, "Unavailable");

describe("retryPolicy", () => {
  it("retries an unreachable agent up to the number of attempts, the first included", async () => {
    const call = vi.fn(() => Promise.reject(unavailable("agent of node a is unreachable")));
    const policy = retryPolicy(resolveRetry({ attempts: 3, baseDelayMs: 1 }), isUnavailable);
    await expect(policy.execute(call)).rejects.toThrow(/unreachable/);
    expect(call).toHaveBeenCalledTimes(3);
  });

  it("returns the first success without further attempts", async () => {
    const call = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(unavailable("agent of node a is unreachable"))
      .mockResolvedValue("ok");
    const policy = retryPolicy(resolveRetry({ attempts: 5, baseDelayMs: 1 }), isUnavailable);
    await expect(policy.execute(call)).resolves.toBe("ok");
    expect(call).toHaveBeenCalledTimes(2);
  });

  it("never retries an error the agent answered with", async () => {
    const call = vi.fn(() => Promise.reject(notFound("VM", "vm-1")));
    const policy = retryPolicy(resolveRetry({ attempts: 3, baseDelayMs: 1 }), isUnavailable);
    await expect(policy.execute(call)).rejects.toThrow();
    expect(call).toHaveBeenCalledTimes(1);
  });

  it("makes one attempt only when attempts is 1", async () => {
    const call = vi.fn(() => Promise.reject(unavailable("agent of node a is unreachable")));
    const policy = retryPolicy(resolveRetry({ attempts: 1 }), isUnavailable);
    await expect(policy.execute(call)).rejects.toThrow();
    expect(call).toHaveBeenCalledTimes(1);
  });
});
