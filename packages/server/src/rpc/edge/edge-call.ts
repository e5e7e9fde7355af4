import type { DescMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { errorDetails } from "../error-mapping";
import { REQUEST_ID_HEADER } from "./request-id";
import { findDecodeProblem } from "./decode-problem";
import type { RetainedBody } from "./retained-body";
import type { WireFormat } from "./wire-protocol";

/** EdgeCall is what the edge knows of one call while the protocol handler decodes it. */
export interface EdgeCall {
  readonly requestId: string;
  readonly url: string;
  readonly format: WireFormat | undefined;
  readonly body: RetainedBody | undefined;
  /** entered turns true when the request has decoded and the interceptors run. */
  entered: boolean;
}

/** EDGE_CALL is the context value through which the edge and its interceptor share a call. */
export const EDGE_CALL = createContextKey<EdgeCall | undefined>(undefined, { description: "edge call" });

/** EdgeDecoding is what decoding a request takes: the compressions accepted and the largest message. */
export interface EdgeDecoding {
  readonly compressions: readonly Compression[];
  readonly readMaxBytes: number;
}

/**
 * refusalOf turns a failure raised while a request was read or decoded into what the caller is
 * told. A body that cannot be decompressed or decoded is the caller's fault, so it is
 * InvalidArgument (the protocol library says Internal for binary bodies) with a message naming the
 * fields at fault; other failures (a body too large, a bad timeout header) keep their code. Either
 * way the error carries the request id and the standard details.
 */
export async function refusalOf(
  call: EdgeCall,
  input: DescMessage,
  failure: ConnectError,
  decoding: EdgeDecoding,
): Promise<ConnectError> {
  const decodable = failure.code === Code.Internal || failure.code === Code.InvalidArgument;
  const bytes = decodable ? call.body?.bytes() : undefined;
  const problem =
    call.format && bytes
      ? await findDecodeProblem(
          input,
          call.format,
          { body: bytes, url: call.url },
          decoding.compressions,
          decoding.readMaxBytes,
        )
      : undefined;
  const code = problem || failure.code === Code.Internal ? Code.InvalidArgument : failure.code;
  return new ConnectError(
    problem?.message ?? failure.rawMessage,
    code,
    { [REQUEST_ID_HEADER]: call.requestId },
    errorDetails({
      reason: Code[code],
      requestId: call.requestId,
      fieldViolations: problem?.fieldViolations ?? [],
    }),
  );
}

async function* decodedInput<T>(
  input: AsyncIterable<T>,
  call: EdgeCall,
  desc: DescMessage,
  decoding: EdgeDecoding,
): AsyncIterable<T> {
  const it = input[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<T>;
    try {
      next = await it.next();
    } catch (e) {
      throw await refusalOf(call, desc, ConnectError.from(e), decoding);
    }
    call.body?.release();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * edgeInterceptor runs first on every call the edge serves: it marks the call decoded (so the edge
 * lets go of the raw body and knows the interceptors report the outcome), and for streams, whose
 * messages are decoded as the handler reads them, turns a decoding failure into the same refusal
 * as for a unary call.
 */
export function edgeInterceptor(decoding: EdgeDecoding): Interceptor {
  return (next) => async (req) => {
    const call = req.contextValues.get(EDGE_CALL);
    if (!call) return next(req);
    call.entered = true;
    if (!req.stream) {
      call.body?.release();
      return next(req);
    }
    return next({ ...req, message: decodedInput(req.message, call, req.method.input, decoding) });
  };
}
