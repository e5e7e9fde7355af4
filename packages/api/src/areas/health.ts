// grpc.health.v1: the standard gRPC health protocol (Health.Check and Health.Watch).
export * from "../gen/grpc/health/v1/health_pb";
