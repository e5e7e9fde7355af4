import { serviceId } from "../composition/service-id";
import type { WatchService } from "./watch-service";

/** EVENTS names the events area's services in the container. */
export const EVENTS = {
  watch: serviceId<WatchService>("WatchService"),
} as const;
