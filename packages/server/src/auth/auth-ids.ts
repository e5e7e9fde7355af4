import { serviceId } from "../composition/service-id";
import type { AuthService } from "./identity/auth-service";
import type { ServiceAccountService } from "./identity/service-account-service";
import type { UserService } from "./identity/user-service";

/** AUTH names the identity and access services. */
export const AUTH = {
  users: serviceId<UserService>("UserService"),
  auth: serviceId<AuthService>("AuthService"),
  serviceAccounts: serviceId<ServiceAccountService>("ServiceAccountService"),
} as const;
