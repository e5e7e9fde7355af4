import { describe, expect, it } from "vitest";
import { ErrorCode, hasErrorCode } from "../errors";
import { formatLabelSelector, matchesSelector, parseLabelSelector } from "./label-selector";

describe("label selectors", () => {
  const labels = { env: "prod", zone: "a", ssd: "" };

  it("parses every operator", () => {
    expect(parseLabelSelector("env=prod,tier!=web,zone in (a, b),gpu notin (x),ssd,!old")).toEqual([
      { key: "env", operator: "=", values: ["prod"] },
      { key: "tier", operator: "!=", values: ["web"] },
      { key: "zone", operator: "in", values: ["a", "b"] },
      { key: "gpu", operator: "notin", values: ["x"] },
      { key: "ssd", operator: "exists", values: [] },
      { key: "old", operator: "!exists", values: [] },
    ]);
  });

  it("reads == as =", () => {
    expect(parseLabelSelector("env==prod")).toEqual([{ key: "env", operator: "=", values: ["prod"] }]);
  });

  it("treats the empty selector as match-everything", () => {
    expect(parseLabelSelector("  ")).toEqual([]);
    expect(matchesSelector([], labels)).toBe(true);
  });

  it("matches each operator as Kubernetes does", () => {
    const m = (s: string) => matchesSelector(parseLabelSelector(s), labels);
    expect(m("env=prod")).toBe(true);
    expect(m("env=dev")).toBe(false);
    expect(m("env!=dev")).toBe(true);
    expect(m("missing!=x")).toBe(true);
    expect(m("zone in (a,b)")).toBe(true);
    expect(m("zone in (c)")).toBe(false);
    expect(m("zone notin (c)")).toBe(true);
    expect(m("missing notin (c)")).toBe(true);
    expect(m("ssd")).toBe(true);
    expect(m("!ssd")).toBe(false);
    expect(m("!missing")).toBe(true);
    expect(m("env=prod,zone in (b)")).toBe(false);
  });

  it("round-trips through format and parse", () => {
    const text = "env=prod,tier!=web,zone in (a,b),gpu notin (x),ssd,!old";
    expect(formatLabelSelector(parseLabelSelector(text))).toBe(text);
  });

  it("refuses an unreadable clause and names it", () => {
    try {
      parseLabelSelector("env=prod,=oops");
      throw new Error("expected a failure");
    } catch (e) {
      expect(hasErrorCode(e, ErrorCode.InvalidArgument)).toBe(true);
      expect((e as Error).message).toContain('clause 2 "=oops"');
    }
  });

  it("refuses an invalid label key", () => {
    expect(() => parseLabelSelector("-bad-=x")).toThrow(/clause 1/);
  });
});
