// google.rpc: the standard error details (BadRequest, ErrorInfo, RetryInfo, RequestInfo, ResourceInfo …) every error carries.
export * from "../gen/google/rpc/error_details_pb";
