import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { CONNECT_CODES } from "@limiquantix/agent-client";
import { common, rpc } from "@limiquantix/api";
import { type DomainError, type FieldViolation, isDomainError } from "@limiquantix/domain";
import { upperSnake } from "./convert/enum-codec";

/** ERROR_DOMAIN is the `domain` of every google.rpc.ErrorInfo the server attaches. */
export const ERROR_DOMAIN = "limiquantix";

/** snakePath turns a domain field path (`spec.memory.sizeMib`) into the wire's (`spec.memory.size_mib`). */
export function snakePath(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** ErrorDetail is one detail message of an error, ready for ConnectError. */
export type ErrorDetail = { desc: DescMessage; value: MessageInitShape<DescMessage> };

function detail<D extends DescMessage>(desc: D, value: MessageInitShape<D>): ErrorDetail {
  return { desc, value: create(desc, value) };
}

/** WireErrorInput is what the edge knows about a failure, in the wire's terms. */
export interface WireErrorInput {
  /** The domain code (`NotFound` …) or, for failures the edge finds itself, the Connect code's name. */
  readonly reason: string;
  readonly requestId: string;
  /** Field violations with wire paths. */
  readonly fieldViolations?: readonly FieldViolation[];
  readonly resource?: { readonly kind: string; readonly id?: string; readonly name?: string };
  readonly retryAfterMs?: number;
  /** Preconditions a FailedPrecondition broke (google.rpc.PreconditionFailure). */
  readonly preconditionViolations?: readonly {
    readonly type: string;
    readonly subject: string;
    readonly description: string;
  }[];
  /** Further facts for ErrorInfo.metadata (strings, numbers and booleans only). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * errorDetails builds the details every error carries: the standard google.rpc messages
 * (ErrorInfo, RequestInfo, and BadRequest, PreconditionFailure, ResourceInfo and RetryInfo when
 * they apply), which
 * `buf curl`, grpcurl and every gRPC client library render, then limiquantix.common.v1.ErrorDetails
 * with the same facts for clients written against it.
 */
export function errorDetails(input: WireErrorInput): ErrorDetail[] {
  const out: ErrorDetail[] = [
    detail(rpc.ErrorInfoSchema, {
      reason: upperSnake(input.reason),
      domain: ERROR_DOMAIN,
      metadata: { ...input.metadata },
    }),
  ];
  const violations = input.fieldViolations ?? [];
  if (violations.length > 0)
    out.push(
      detail(rpc.BadRequestSchema, {
        fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })),
      }),
    );
  const preconditions = input.preconditionViolations ?? [];
  if (preconditions.length > 0)
    out.push(
      detail(rpc.PreconditionFailureSchema, {
        violations: preconditions.map((v) => ({
          type: v.type,
          subject: v.subject,
          description: v.description,
        })),
      }),
    );
  const r = input.resource;
  if (r)
    out.push(detail(rpc.ResourceInfoSchema, { resourceType: r.kind, resourceName: r.id ?? r.name ?? "" }));
  if (input.retryAfterMs !== undefined && input.retryAfterMs > 0)
    out.push(detail(rpc.RetryInfoSchema, { retryDelay: durationFromMs(input.retryAfterMs) }));
  out.push(detail(rpc.RequestInfoSchema, { requestId: input.requestId }));
  out.push(
    detail(common.ErrorDetailsSchema, {
      code: input.reason,
      fieldViolations: violations.map((v) => ({ field: v.field, description: v.description })),
      ...(r ? { resource: { kind: r.kind, id: r.id ?? "", name: r.name ?? "" } } : {}),
      retryAfterMs: input.retryAfterMs ?? 0,
      requestId: input.requestId,
    }),
  );
  return out;
}

const DETAIL_KEYS = new Set(["fieldViolations", "resource", "retryAfterMs", "preconditionViolations"]);

function scalarMetadata(err: DomainError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(err.details)) {
    if (DETAIL_KEYS.has(key)) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out[key] = String(value);
  }
  return out;
}

function wireViolations(err: DomainError): FieldViolation[] {
  return (err.details.fieldViolations ?? []).map((v) => ({
    field: snakePath(v.field),
    description: v.description,
  }));
}

function wireMessage(err: DomainError): string {
  let message = err.message;
  for (const v of err.details.fieldViolations ?? []) message = message.replace(v.field, snakePath(v.field));
  return message;
}

/**
 * toConnectError turns anything thrown by a handler into the error the client sees: domain
 * errors keep their message (with wire field paths) and get their Connect code from the one table,
 * CONNECT_CODES; Connect errors keep code and message and gain the details when they have none;
 * anything else becomes Internal with only the request id, so internals never leak.
 */
export function toConnectError(err: unknown, requestId: string): ConnectError {
  if (err instanceof ConnectError) {
    if (err.details.length > 0) return err;
    return new ConnectError(
      err.rawMessage,
      err.code,
      err.metadata,
      errorDetails({ reason: Code[err.code], requestId }),
      err.cause,
    );
  }
  if (isDomainError(err)) {
    const d = err.details;
    return new ConnectError(
      wireMessage(err),
      CONNECT_CODES[err.code],
      undefined,
      errorDetails({
        reason: err.code,
        requestId,
        fieldViolations: wireViolations(err),
        ...(d.resource ? { resource: d.resource } : {}),
        ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
        ...(d.preconditionViolations ? { preconditionViolations: d.preconditionViolations } : {}),
        metadata: scalarMetadata(err),
      }),
      err,
    );
  }
  return new ConnectError(
    `internal error; quote request id ${requestId} when reporting it`,
    Code.Internal,
    undefined,
    errorDetails({ reason: "Internal", requestId }),
  );
}

/** isInternal says whether an error will reach the client as Internal (and so must be logged with its cause). */
export function isInternal(err: unknown): boolean {
  if (err instanceof ConnectError) return err.code === Code.Internal;
  return !isDomainError(err) || err.code === "Internal";
}
