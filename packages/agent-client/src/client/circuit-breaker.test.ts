import { hasErrorCode } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker";

function breaker(threshold = 3, coolDownMs = 1000) {
  let now = 0;
  const b = new CircuitBreaker("agent of node a", {
    failureThreshold: threshold,
    coolDownMs,
    now: () => now,
  });
  return {
    b,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("CircuitBreaker", () => {
  it("opens after the threshold of consecutive failures and then fails calls fast with Unavailable", () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) {
      b.acquire();
      b.fail();
    }
    expect(b.state).toBe("OPEN");
    let thrown: unknown;
    try {
      b.acquire();
    } catch (e) {
      thrown = e;
    }
    expect(hasErrorCode(thrown, "Unavailable")).toBe(true);
  });

  it("resets the count on success, so failures must be consecutive", () => {
    const { b } = breaker();
    b.fail();
    b.fail();
    b.succeed();
    b.fail();
    b.fail();
    expect(b.state).toBe("CLOSED");
  });

  it("lets one probe through after the cool-down and closes when it succeeds", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.fail();
    advance(1000);
    expect(b.state).toBe("HALF_OPEN");
    b.acquire();
    expect(() => b.acquire()).toThrow(/open/);
    b.succeed();
    expect(b.state).toBe("CLOSED");
  });

  it("opens again at once when the probe fails", () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.fail();
    advance(1000);
    b.acquire();
    b.fail();
    expect(b.state).toBe("OPEN");
  });
});
