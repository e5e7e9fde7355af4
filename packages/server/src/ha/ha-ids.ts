import { serviceId } from "../composition/service-id";
import type { SimLab } from "../sim/sim-lab";
import type { FencerChoice } from "./fencer";
import type { HaController } from "./ha-controller";

/** HA names the HA area's parts in the container. */
export const HA = {
  fencers: serviceId<FencerChoice>("FencerChoice"),
  controller: serviceId<HaController>("HaController"),
  /** The simulated nodes' controls; bound only when simulated nodes run. */
  simLab: serviceId<SimLab>("SimLab"),
} as const;
