import { PRESETS, type ProfileConfig, Scheduler } from "@limiquantix/scheduler";
import { gpuNodesOnly } from "./plugins/gpu-nodes-only-filter";
import { preferLowPower } from "./plugins/prefer-low-power-score";

/** GREEN_GPU_PROFILE runs every built-in filter plus gpu-nodes-only, and weighs prefer-low-power above spreading. */
export const GREEN_GPU_PROFILE: ProfileConfig = {
  preset: "spread",
  filters: [...PRESETS.spread.filters, gpuNodesOnly.name],
  scores: { [preferLowPower.name]: 5 },
};

/**
 * greenGpuScheduler registers both plugins by name beside the built-ins and selects them through
 * the profile; `profile` may be swapped to compare outcomes (e.g. the filter without the score).
 */
export function greenGpuScheduler(profile: ProfileConfig = GREEN_GPU_PROFILE): Scheduler {
  return new Scheduler({ plugins: [gpuNodesOnly, preferLowPower], profile });
}
