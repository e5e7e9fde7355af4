// Third-party scheduler plugins: `npx -y pnpm@10 --filter @limiquantix/example-scheduler-plugin start`.
import { isDomainError } from "@limiquantix/domain";
import { Scheduler } from "@limiquantix/scheduler";
import { vm } from "./cluster";
import { gpuFleet } from "./fleet";
import { GREEN_GPU_PROFILE, greenGpuScheduler } from "./profile";

const train = vm("train-1", { vcpus: 4, memoryMib: 16_384 }, { labels: { gpu: "a100" } });
const outcomes = {
  "built-ins only (spread)": new Scheduler(),
  "+ gpu-nodes-only": greenGpuScheduler({ ...GREEN_GPU_PROFILE, scores: {} }),
  "+ gpu-nodes-only + prefer-low-power×5": greenGpuScheduler(),
};
for (const [label, scheduler] of Object.entries(outcomes))
  console.log(`${label.padEnd(40)} → ${scheduler.place(gpuFleet(), train).nodeName}`);

try {
  greenGpuScheduler().place(
    gpuFleet(),
    vm("render-1", { vcpus: 4, memoryMib: 8192 }, { labels: { gpu: "h100" } }),
  );
} catch (error) {
  if (!isDomainError(error)) throw error;
  console.log(`\nrender-1 (gpu=h100): ${error.message}`);
}
