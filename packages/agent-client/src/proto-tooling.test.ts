import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generatedDrift, runBuf } from "../../../scripts/proto-tooling";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

// These run buf itself, so a normal test run catches a lint error or stale generated code.
describe("proto tooling", () => {
  it("passes buf lint", () => {
    const result = runBuf(packageDir, ["lint"]);
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });

  it("has src/gen up to date with the protos", () => {
    expect(generatedDrift(packageDir)).toEqual([]);
  });
});
