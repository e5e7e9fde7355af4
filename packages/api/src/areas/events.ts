// limiquantix.events.v1: the resource-change stream (EventService).
export * from "../gen/limiquantix/events/v1/event_pb";
export * from "../gen/limiquantix/events/v1/event_service_pb";
