import { type DomainError, hasErrorCode, notFound, unavailable } from "@limiquantix/domain";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CircuitBreaker, isCircuitOpenError } from "./circuit-breaker";

const unreachable = () => Promise.reject(unavailable("agent of node a is unreachable"));
const answers = () => Promise.resolve("ok");

async function thrown(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

async function failTimes(b: CircuitBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await thrown(b.execute(unreachable));
}

describe("CircuitBreaker", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const breaker = () => new CircuitBreaker("agent of node a", { failureThreshold: 3, coolDownMs: 1000 });

  it("opens after the threshold of consecutive failures and then fails calls fast with Unavailable", async () => {
    const b = breaker();
    await failTimes(b, 3);
    expect(b.state).toBe("OPEN");
    const call = vi.fn(answers);
    const error = await thrown(b.execute(call));
    expect(call).not.toHaveBeenCalled();
    expect(hasErrorCode(error, "Unavailable")).toBe(true);
    expect(isCircuitOpenError(error)).toBe(true);
    expect((error as DomainError).details.retryAfterMs).toBe(1000);
  });

  it("resets the count on success, so failures must be consecutive", async () => {
    const b = breaker();
    await failTimes(b, 2);
    await b.execute(answers);
    await failTimes(b, 2);
    expect(b.state).toBe("CLOSED");
  });

  it("counts an error the agent answered with as a sign of life, not as a failure", async () => {
    const b = breaker();
    await failTimes(b, 2);
    const error = await thrown(b.execute(() => Promise.reject(notFound("VM", "vm-1"))));
    expect(hasErrorCode(error, "NotFound")).toBe(true);
    await failTimes(b, 2);
    expect(b.state).toBe("CLOSED");
  });

  it("lets one probe through after the cool-down and closes when it succeeds", async () => {
    const b = breaker();
    await failTimes(b, 3);
    vi.advanceTimersByTime(1000);
    expect(b.state).toBe("HALF_OPEN");
    const pending = deferred<string>();
    const probe = b.execute(() => pending.promise);
    const second = vi.fn(answers);
    const refused = await thrown(b.execute(second));
    expect(second).not.toHaveBeenCalled();
    expect((refused as Error).message).toMatch(/open/);
    pending.resolve("ok");
    await expect(probe).resolves.toBe("ok");
    expect(b.state).toBe("CLOSED");
  });

  it("opens again at once when the probe fails", async () => {
    const b = breaker();
    await failTimes(b, 3);
    vi.advanceTimersByTime(1000);
    await thrown(b.execute(unreachable));
    expect(b.state).toBe("OPEN");
  });
});
