import { ClusterSnapshot } from "@limiquantix/scheduler";
import { node, vm } from "./cluster";

/**
 * gpuFleet is a mixed fleet: a large CPU-only host, two A100 hosts of different generations (the
 * efficient one already half busy) and a small L4 host. Spreading alone prefers the large host.
 */
export function gpuFleet(): ClusterSnapshot {
  return new ClusterSnapshot({
    nodes: [
      node("cpu-big", { vcpus: 64, memoryMib: 262_144, labels: { "power-watts": "900" } }),
      node("a100-old", { vcpus: 16, memoryMib: 65_536, labels: { gpu: "a100", "power-watts": "700" } }),
      node("a100-new", { vcpus: 16, memoryMib: 65_536, labels: { gpu: "a100", "power-watts": "350" } }),
      node("l4-small", { vcpus: 8, memoryMib: 32_768, labels: { gpu: "l4", "power-watts": "150" } }),
    ],
    vms: [vm("infer-1", { vcpus: 8, memoryMib: 32_768 }, { labels: { gpu: "a100" }, placedOn: "a100-new" })],
  });
}
