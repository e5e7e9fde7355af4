// limiquantix.iam.v1: projects, users and sessions (ProjectService, UserService, AuthService).
export * from "../gen/limiquantix/iam/v1/auth_service_pb";
export * from "../gen/limiquantix/iam/v1/project_pb";
export * from "../gen/limiquantix/iam/v1/project_service_pb";
export * from "../gen/limiquantix/iam/v1/user_pb";
export * from "../gen/limiquantix/iam/v1/service_account_service_pb";
export * from "../gen/limiquantix/iam/v1/user_service_pb";
