import { describe, expect, it } from "vitest";
import { ErrorCode, hasErrorCode } from "../errors";
import { NODE_MACHINE, RECOMMENDATION_MACHINE, VM_POWER_MACHINE, VOLUME_MACHINE } from "./machines";
import { assertTransition, canTransition, checkTransition, defineStateMachine } from "./state-machine";

describe("state machines", () => {
  it("allows the VM power lifecycle and staying put", () => {
    expect(canTransition(VM_POWER_MACHINE, "STOPPED", "STARTING")).toBe(true);
    expect(canTransition(VM_POWER_MACHINE, "STARTING", "RUNNING")).toBe(true);
    expect(canTransition(VM_POWER_MACHINE, "RUNNING", "MIGRATING")).toBe(true);
    expect(canTransition(VM_POWER_MACHINE, "RUNNING", "RUNNING")).toBe(true);
  });

  it("says why a transition is illegal and where the state may go", () => {
    const check = checkTransition(VM_POWER_MACHINE, "STOPPED", "PAUSED");
    expect(check).toEqual({
      ok: false,
      reason:
        "VM power state cannot go from STOPPED to PAUSED; from STOPPED it may go to STARTING, MIGRATING, FAILED, DELETING",
    });
  });

  it("treats terminal states as final", () => {
    const check = checkTransition(VM_POWER_MACHINE, "DELETING", "RUNNING");
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain("final");
  });

  it("follows the volume lifecycle CREATING → AVAILABLE → IN_USE → DETACHING → AVAILABLE → DELETING", () => {
    const path = ["CREATING", "AVAILABLE", "IN_USE", "DETACHING", "AVAILABLE", "DELETING"] as const;
    for (let i = 1; i < path.length; i++)
      expect(canTransition(VOLUME_MACHINE, path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition(VOLUME_MACHINE, "IN_USE", "DELETING")).toBe(false);
    expect(canTransition(VOLUME_MACHINE, "IN_USE", "AVAILABLE")).toBe(false);
  });

  it("takes a DRS recommendation from pending through applying to applied or failed, and never out of an outcome", () => {
    for (const [from, to] of [
      ["PENDING", "APPROVED"],
      ["APPROVED", "APPLYING"],
      ["PENDING", "APPLYING"],
      ["APPLYING", "APPLIED"],
      ["APPLYING", "FAILED"],
      ["PENDING", "SUPERSEDED"],
    ] as const)
      expect(canTransition(RECOMMENDATION_MACHINE, from, to)).toBe(true);
    expect(canTransition(RECOMMENDATION_MACHINE, "APPLYING", "SUPERSEDED")).toBe(false);
    expect(canTransition(RECOMMENDATION_MACHINE, "REJECTED", "APPROVED")).toBe(false);
    expect(canTransition(RECOMMENDATION_MACHINE, "APPLIED", "APPLYING")).toBe(false);
  });

  it("lets any node phase but DECOMMISSIONED reach MAINTENANCE", () => {
    expect(canTransition(NODE_MACHINE, "READY", "MAINTENANCE")).toBe(true);
    expect(canTransition(NODE_MACHINE, "DECOMMISSIONED", "READY")).toBe(false);
  });

  it("assertTransition throws FailedPrecondition with from and to", () => {
    try {
      assertTransition(VOLUME_MACHINE, "CREATING", "IN_USE");
      throw new Error("expected a failure");
    } catch (e) {
      expect(hasErrorCode(e, ErrorCode.FailedPrecondition)).toBe(true);
      if (hasErrorCode(e, ErrorCode.FailedPrecondition))
        expect(e.details).toMatchObject({ from: "CREATING", to: "IN_USE" });
    }
  });

  it("refuses a table that names unknown states or lets a terminal state out", () => {
    expect(() =>
      defineStateMachine<"A" | "B">({
        name: "t",
        states: ["A", "B"],
        transitions: { A: ["C" as "B"], B: [] },
        terminal: [],
      }),
    ).toThrow(/unknown state/);
    expect(() =>
      defineStateMachine<"A" | "B">({
        name: "t",
        states: ["A", "B"],
        transitions: { A: ["B"], B: ["A"] },
        terminal: ["B"],
      }),
    ).toThrow(/terminal/);
  });
});
