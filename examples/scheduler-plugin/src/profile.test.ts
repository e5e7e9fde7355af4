import { type DomainError, isDomainError } from "@limiquantix/domain";
import { ClusterSnapshot, type PlacementFailureDetails, Scheduler } from "@limiquantix/scheduler";
import { describe, expect, it } from "vitest";
import { node, vm } from "./cluster";
import { gpuFleet } from "./fleet";
import { gpuNodesOnly } from "./plugins/gpu-nodes-only-filter";
import { GREEN_GPU_PROFILE, greenGpuScheduler } from "./profile";

const train = () => vm("train-1", { vcpus: 4, memoryMib: 16_384 }, { labels: { gpu: "a100" } });
const filterOnly = () => greenGpuScheduler({ ...GREEN_GPU_PROFILE, scores: {} });

function placementError(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (isDomainError(error)) return error;
    throw error;
  }
  throw new Error("expected the placement to fail");
}

describe("third-party scheduler plugins in a profile", () => {
  it("without the plugins, spreading sends a GPU job to the large CPU-only host", () => {
    expect(new Scheduler().place(gpuFleet(), train()).nodeId).toBe("cpu-big");
  });

  it("gpu-nodes-only keeps a GPU job on nodes with its GPU model, and spreading picks the idle one", () => {
    const placement = filterOnly().place(gpuFleet(), train(), { candidates: 5 });
    expect(placement.nodeId).toBe("a100-old");
    expect(placement.candidates?.map((c) => c.nodeId)).toEqual(["a100-old", "a100-new"]);
  });

  it("prefer-low-power, weighted 5, overrides spreading and picks the efficient A100 host", () => {
    const placement = greenGpuScheduler().place(gpuFleet(), train(), { candidates: 5 });
    expect(placement.nodeId).toBe("a100-new");
    expect(placement.candidates?.map((c) => c.scores["prefer-low-power"])).toEqual([100, 0]);
  });

  it("gpu=any accepts every GPU model but still no CPU-only host", () => {
    const anyGpu = vm("train-2", { vcpus: 2, memoryMib: 4096 }, { labels: { gpu: "any" } });
    const placement = greenGpuScheduler().place(gpuFleet(), anyGpu, { candidates: 5 });
    expect(placement.nodeId).toBe("l4-small");
    expect(placement.candidates?.map((c) => c.nodeId).sort()).toEqual(["a100-new", "a100-old", "l4-small"]);
  });

  it("gpu-nodes-only skips VMs that ask for no GPU, so they still spread to the large host", () => {
    expect(filterOnly().place(gpuFleet(), vm("web-1", { vcpus: 2, memoryMib: 4096 })).nodeId).toBe("cpu-big");
  });

  it("a GPU model no node offers is explained by the plugin's own reasons, under its name", () => {
    const render = vm("render-1", { vcpus: 4, memoryMib: 8192 }, { labels: { gpu: "h100" } });
    const error = placementError(() => greenGpuScheduler().place(gpuFleet(), render));

    expect(error.code).toBe("ResourceExhausted");
    expect(error.message).toContain("0/4 nodes fit: 2 GPU a100, not h100, 1 GPU l4, not h100, 1 no GPU");
    const details = error.details as PlacementFailureDetails;
    const cpuBig = details.nodes.find((n) => n.nodeId === "cpu-big");
    expect(cpuBig?.reasons).toEqual([
      { plugin: "gpu-nodes-only", reason: "no GPU", kind: "node-selector", bindsRunning: true },
    ]);
  });

  it("registers the plugins by name beside the built-ins", () => {
    const { registry } = greenGpuScheduler();
    expect(registry.filterNames()).toContain("gpu-nodes-only");
    expect(registry.filterNames()).toContain("capacity");
    expect(registry.scoreNames()).toContain("prefer-low-power");
  });

  it("a profile naming a plugin that was not registered is refused with InvalidArgument", () => {
    const error = placementError(() => new Scheduler({ profile: GREEN_GPU_PROFILE }));
    expect(error.code).toBe("InvalidArgument");
    expect(error.message).toContain('unknown filter "gpu-nodes-only"');
  });

  it("a plugin name already taken is refused with AlreadyExists", () => {
    const error = placementError(() => new Scheduler({ plugins: [gpuNodesOnly, { ...gpuNodesOnly }] }));
    expect(error.code).toBe("AlreadyExists");
  });
});

describe("prefer-low-power scoring", () => {
  it("scores a node without a power-watts label 0, and nodes of equal draw 100 each", () => {
    const snapshot = new ClusterSnapshot({
      nodes: [
        node("plain", { vcpus: 8, memoryMib: 16_384 }),
        node("p1", { vcpus: 8, memoryMib: 16_384, labels: { "power-watts": "300" } }),
        node("p2", { vcpus: 8, memoryMib: 16_384, labels: { "power-watts": "300" } }),
      ],
    });
    const placement = greenGpuScheduler().place(snapshot, vm("web-1", { vcpus: 1, memoryMib: 1024 }), {
      candidates: 3,
    });
    const byNode = Object.fromEntries(
      (placement.candidates ?? []).map((c) => [c.nodeId, c.scores["prefer-low-power"]]),
    );
    expect(byNode).toEqual({ plain: 0, p1: 100, p2: 100 });
  });
});
