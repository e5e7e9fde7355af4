import { serviceId } from "../composition/service-id";
import type { ProjectService } from "./project-service";

/** IAM names the identity and access area's services in the container. */
export const IAM = {
  projects: serviceId<ProjectService>("ProjectService"),
} as const;
