import { describe, expect, it } from "vitest";
import { runBuf } from "../scripts/buf";
import { generatedDrift } from "../scripts/check-generated";

// These run buf itself, so a normal test run catches a lint error or stale generated code.
describe("agent protocol tooling", () => {
  it("passes buf lint", () => {
    const result = runBuf(["lint"]);
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });

  it("has src/gen up to date with the protos", () => {
    expect(generatedDrift()).toEqual([]);
  });
});
