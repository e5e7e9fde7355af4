// limiquantix.common.v1: shared messages: conditions, label requirements, resource references, event types.
export * from "../gen/limiquantix/common/v1/common_pb";
export * from "../gen/limiquantix/common/v1/error_details_pb";
