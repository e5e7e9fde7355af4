import { serviceId } from "../composition/service-id";
import type { ChangeLogCompactor } from "./change-log-compactor";
import type { WatchService } from "./watch-service";

/** EVENTS names the events area's services in the container. */
export const EVENTS = {
  watch: serviceId<WatchService>("WatchService"),
  compactor: serviceId<ChangeLogCompactor>("ChangeLogCompactor"),
} as const;
