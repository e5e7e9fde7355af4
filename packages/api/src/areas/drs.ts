// limiquantix.drs.v1: DRS recommendations and status (DRSService).
export * from "../gen/limiquantix/drs/v1/drs_service_pb";
export * from "../gen/limiquantix/drs/v1/recommendation_pb";
