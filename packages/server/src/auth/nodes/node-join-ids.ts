import { serviceId } from "../../composition/service-id";
import type { JoinTokenService } from "./join-token-service";
import type { NodeCredentialIssuer } from "./node-credentials";
import type { NodeJoinService } from "./node-join-service";

/** NODE_JOIN names the services that admit nodes with join tokens. */
export const NODE_JOIN = {
  tokens: serviceId<JoinTokenService>("JoinTokenService"),
  credentials: serviceId<NodeCredentialIssuer>("NodeCredentialIssuer"),
  joins: serviceId<NodeJoinService>("NodeJoinService"),
} as const;
