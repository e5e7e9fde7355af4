import { type Alert, AlertRule } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import type { ResourceSample } from "./metric-samples";
import { type EvaluationInput, evaluateRules, ruleFingerprint, type Tracking } from "./rule-evaluation";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const sec = (n: number) => T0 + n * 1000;

function rule(id: string, spec: Partial<AlertRule["spec"]> = {}): AlertRule {
  return AlertRule.parse({
    id,
    name: id,
    resourceVersion: 1,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    spec: {
      metric: "node.cpu.percent",
      operator: "gt",
      threshold: 95,
      forSec: 60,
      severity: "CRITICAL",
      ...spec,
    },
  });
}

const node = (id: string, cpu: number | undefined, clusterId = "c1"): ResourceSample => ({
  kind: "Node",
  id,
  name: id,
  clusterId,
  values: cpu === undefined ? { "node.not_ready": 1 } : { "node.cpu.percent": cpu, "node.not_ready": 0 },
});

function activeAlert(r: AlertRule, nodeId: string): Alert {
  return {
    id: `a-${nodeId}`,
    resourceVersion: 1,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    labels: {},
    severity: r.spec.severity,
    state: "OPEN",
    source: { kind: "Node", id: nodeId, name: nodeId },
    title: "t",
    message: "",
    fingerprint: ruleFingerprint(r.id, "Node", nodeId),
    ruleId: r.id,
  };
}

/** run evaluates passes in order, carrying what each remembers into the next. */
function run(
  passes: readonly { at: number; samples: ResourceSample[]; active?: Alert[]; rules?: AlertRule[] }[],
  rules: AlertRule[],
) {
  let tracking: ReadonlyMap<string, Tracking> = new Map();
  return passes.map((p) => {
    const input: EvaluationInput = {
      now: p.at,
      rules: p.rules ?? rules,
      samples: p.samples,
      active: p.active ?? [],
      tracking,
    };
    const result = evaluateRules(input);
    tracking = result.tracking;
    return result;
  });
}

describe("evaluateRules", () => {
  it("fires only once the condition has held for the rule's for-duration", () => {
    const r = rule("cpu");
    const [first, early, due] = run(
      [
        { at: sec(0), samples: [node("n1", 97)] },
        { at: sec(59), samples: [node("n1", 98)] },
        { at: sec(60), samples: [node("n1", 99)] },
      ],
      [r],
    );
    expect(first!.fire).toEqual([]);
    expect(early!.fire).toEqual([]);
    expect(due!.fire).toHaveLength(1);
    expect(due!.fire[0]).toMatchObject({
      fingerprint: ruleFingerprint("cpu", "Node", "n1"),
      value: 99,
      heldSec: 60,
    });
  });

  it("starts the for-duration again when the condition breaks before it has held long enough", () => {
    const r = rule("cpu");
    const passes = run(
      [
        { at: sec(0), samples: [node("n1", 97)] },
        { at: sec(30), samples: [node("n1", 50)] },
        { at: sec(60), samples: [node("n1", 97)] },
        { at: sec(119), samples: [node("n1", 97)] },
        { at: sec(120), samples: [node("n1", 97)] },
      ],
      [r],
    );
    expect(passes.map((p) => p.fire.length)).toEqual([0, 0, 0, 0, 1]);
  });

  it("does not fire again while an alert is active, and resolves it once the condition has cleared for the for-duration", () => {
    const r = rule("cpu");
    const a = activeAlert(r, "n1");
    const passes = run(
      [
        { at: sec(0), samples: [node("n1", 97)], active: [a] },
        { at: sec(15), samples: [node("n1", 40)], active: [a] },
        { at: sec(74), samples: [node("n1", 40)], active: [a] },
        { at: sec(75), samples: [node("n1", 40)], active: [a] },
      ],
      [r],
    );
    expect(passes.map((p) => p.fire.length)).toEqual([0, 0, 0, 0]);
    expect(passes.map((p) => p.resolve.length)).toEqual([0, 0, 0, 1]);
    expect(passes[3]!.resolve[0]!.reason).toContain("cleared: node.cpu.percent is 40");
  });

  it("keeps an alert whose resource stopped reporting, neither resolving nor re-arming it", () => {
    const r = rule("cpu", { forSec: 0 });
    const a = activeAlert(r, "n1");
    const [p] = run([{ at: sec(0), samples: [node("n1", undefined)], active: [a] }], [r]);
    expect(p!.fire).toEqual([]);
    expect(p!.resolve).toEqual([]);
  });

  it("compares with each operator", () => {
    const cases: [AlertRule["spec"]["operator"], number, boolean][] = [
      ["gt", 95, false],
      ["gte", 95, true],
      ["lt", 95, false],
      ["lte", 95, true],
      ["lt", 94, true],
    ];
    for (const [operator, value, fires] of cases) {
      const [p] = run([{ at: sec(0), samples: [node("n1", value)] }], [rule("r", { operator, forSec: 0 })]);
      expect(p!.fire.length, `${operator} ${value}`).toBe(fires ? 1 : 0);
    }
  });

  it("watches only the resources in the rule's scope, and only enabled rules", () => {
    const samples = [node("n1", 99, "c1"), node("n2", 99, "c2")];
    const byCluster = run([{ at: sec(0), samples }], [rule("r", { forSec: 0, scope: { clusterId: "c2" } })]);
    expect(byCluster[0]!.fire.map((f) => f.sample.id)).toEqual(["n2"]);
    const byResource = run(
      [{ at: sec(0), samples }],
      [rule("r", { forSec: 0, scope: { resourceId: "n1" } })],
    );
    expect(byResource[0]!.fire.map((f) => f.sample.id)).toEqual(["n1"]);
    const disabled = run([{ at: sec(0), samples }], [rule("r", { forSec: 0, enabled: false })]);
    expect(disabled[0]!.fire).toEqual([]);
  });

  it("resolves at once the alerts of a deleted or disabled rule, of a resource that is gone, or out of scope", () => {
    const r = rule("cpu");
    const a = activeAlert(r, "n1");
    const reason = (rules: AlertRule[], samples: ResourceSample[]) =>
      run([{ at: sec(0), samples, active: [a], rules }], rules)[0]!.resolve.map((d) => d.reason);
    expect(reason([], [node("n1", 99)])).toEqual(["its rule was deleted"]);
    expect(reason([rule("cpu", { enabled: false })], [node("n1", 99)])).toEqual(["rule cpu was disabled"]);
    expect(reason([r], [])).toEqual(["Node n1 no longer exists"]);
    expect(reason([rule("cpu", { scope: { clusterId: "c9" } })], [node("n1", 99)])[0]).toContain(
      "no longer watches Node n1",
    );
  });
});
