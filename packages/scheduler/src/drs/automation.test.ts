import { describe, expect, it } from "vitest";
import { appliesAutomatically, splitByAutomation } from "./automation";
import type { DrsProposal } from "./drs-types";

const impact = { imbalanceBefore: 0.3, imbalanceAfter: 0.2 };
const migrate: DrsProposal = {
  clusterId: "c",
  priority: "MEDIUM",
  type: "MIGRATE",
  vmId: "v",
  sourceNodeId: "a",
  targetNodeId: "b",
  reason: "balance",
  impact,
};
const powerOn: DrsProposal = {
  clusterId: "c",
  priority: "HIGH",
  type: "POWER_ON",
  targetNodeId: "s",
  reason: "short",
  impact,
};

describe("automation levels", () => {
  it("applies nothing by itself at manual", () => {
    for (const a of ["initial-placement", "MIGRATE", "POWER_ON", "POWER_OFF"] as const)
      expect(appliesAutomatically("manual", a)).toBe(false);
  });

  it("applies only initial placement at partial", () => {
    expect(appliesAutomatically("partial", "initial-placement")).toBe(true);
    expect(appliesAutomatically("partial", "MIGRATE")).toBe(false);
    expect(appliesAutomatically("partial", "POWER_OFF")).toBe(false);
  });

  it("applies migrations and power changes too at full", () => {
    for (const a of ["initial-placement", "MIGRATE", "POWER_ON", "POWER_OFF"] as const)
      expect(appliesAutomatically("full", a)).toBe(true);
  });

  it("splits the same recommendations differently per level, keeping their order", () => {
    expect(splitByAutomation("partial", [migrate, powerOn])).toEqual({
      automatic: [],
      pending: [migrate, powerOn],
    });
    expect(splitByAutomation("full", [migrate, powerOn])).toEqual({
      automatic: [migrate, powerOn],
      pending: [],
    });
  });
});
