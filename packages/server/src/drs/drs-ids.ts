import { serviceId } from "../composition/service-id";
import type { DrsController } from "./drs-controller";
import type { DrsPassRunner } from "./drs-pass-runner";
import type { DrsService } from "./drs-service";
import type { DrsRuntimeSettings } from "./drs-settings";
import type { RecommendationApplier } from "./recommendation-applier";

/** DRS names the DRS area's settings, services and controller in the container. */
export const DRS = {
  settings: serviceId<DrsRuntimeSettings>("DrsRuntimeSettings"),
  applier: serviceId<RecommendationApplier>("RecommendationApplier"),
  passes: serviceId<DrsPassRunner>("DrsPassRunner"),
  service: serviceId<DrsService>("DrsService"),
  controller: serviceId<DrsController>("DrsController"),
} as const;
