import type { JsonWriteOptions } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import {
  type Compression,
  createAsyncIterable,
  encodeEnvelope,
  type UniversalServerRequest,
  type UniversalServerResponse,
} from "@connectrpc/connect/protocol";
import {
  codeFromHttpStatus,
  codeToHttpStatus,
  createEndStreamSerialization,
  endStreamFlag,
  errorFromJsonBytes,
  errorToJsonBytes,
  parseContentType as parseConnectContentType,
} from "@connectrpc/connect/protocol-connect";
import {
  findTrailerError,
  parseContentType as parseGrpcContentType,
  setTrailerStatus,
} from "@connectrpc/connect/protocol-grpc";
import {
  parseContentType as parseGrpcWebContentType,
  trailerFlag,
  trailerParse,
  trailerSerialize,
} from "@connectrpc/connect/protocol-grpc-web";

/** WireProtocol is how one call is framed: Connect unary, Connect streaming, gRPC or gRPC-Web. */
export type WireProtocol = "connect" | "connect-stream" | "grpc" | "grpc-web";

/** WireFormat says how a call's messages travel: its protocol, whether they are binary protobuf, and the compression that applies. */
export interface WireFormat {
  readonly protocol: WireProtocol;
  readonly binary: boolean;
  /** The name of the compression of the request body (unary Connect) or of its compressed envelopes, if any. */
  readonly encoding: string | undefined;
}

/** wireFormatOf reads a request's protocol and encoding from its method, Content-Type and headers (or the query of a Connect GET); undefined when no protocol matches. */
export function wireFormatOf(
  req: Pick<UniversalServerRequest, "method" | "header" | "url">,
): WireFormat | undefined {
  if (req.method === "GET") {
    const query = new URL(req.url).searchParams;
    return {
      protocol: "connect",
      binary: query.get("encoding") === "proto",
      encoding: query.get("compression") ?? undefined,
    };
  }
  const contentType = req.header.get("content-type") ?? "";
  const grpcWeb = parseGrpcWebContentType(contentType);
  if (grpcWeb)
    return {
      protocol: "grpc-web",
      binary: grpcWeb.binary,
      encoding: req.header.get("grpc-encoding") ?? undefined,
    };
  const grpc = parseGrpcContentType(contentType);
  if (grpc)
    return { protocol: "grpc", binary: grpc.binary, encoding: req.header.get("grpc-encoding") ?? undefined };
  const connect = parseConnectContentType(contentType);
  if (!connect) return undefined;
  return connect.stream
    ? {
        protocol: "connect-stream",
        binary: connect.binary,
        encoding: req.header.get("connect-content-encoding") ?? undefined,
      }
    : {
        protocol: "connect",
        binary: connect.binary,
        encoding: req.header.get("content-encoding") ?? undefined,
      };
}

/**
 * renderError answers a call with an error in its own protocol, as Connect would: a Connect unary
 * call gets the HTTP status and the JSON error; a Connect stream its end-of-stream message; gRPC
 * the status trailers; gRPC-Web the trailer frame. The error's metadata become headers or trailers.
 */
export function renderError(
  protocol: WireProtocol,
  req: Pick<UniversalServerRequest, "header">,
  error: ConnectError,
  jsonOptions?: Partial<JsonWriteOptions>,
): UniversalServerResponse {
  const contentType = req.header.get("content-type") ?? "";
  switch (protocol) {
    case "connect": {
      const body = errorToJsonBytes(error, jsonOptions);
      const header = new Headers(error.metadata);
      header.set("content-type", "application/json");
      header.set("content-length", String(body.byteLength));
      return { status: codeToHttpStatus(error.code), header, body: createAsyncIterable([body]) };
    }
    case "connect-stream": {
      const end = createEndStreamSerialization(jsonOptions).serialize({
        metadata: new Headers(error.metadata),
        error,
      });
      return {
        status: 200,
        header: new Headers({ "content-type": contentType }),
        body: createAsyncIterable([encodeEnvelope(endStreamFlag, end)]),
      };
    }
    case "grpc":
      return {
        status: 200,
        header: new Headers({ "content-type": contentType }),
        body: createAsyncIterable([]),
        trailer: setTrailerStatus(new Headers(), error),
      };
    case "grpc-web": {
      const trailer = setTrailerStatus(new Headers(), error);
      return {
        status: 200,
        header: new Headers({ "content-type": contentType }),
        body: createAsyncIterable([encodeEnvelope(trailerFlag, trailerSerialize(trailer))]),
      };
    }
  }
}

async function drain(body: UniversalServerResponse["body"]): Promise<Uint8Array> {
  if (body === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const COMPRESSED = 0b01;

function lastFrame(bytes: Uint8Array): { flags: number; data: Uint8Array } | undefined {
  let last: { flags: number; data: Uint8Array } | undefined;
  for (let at = 0; at + 5 <= bytes.byteLength; ) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, 5);
    const length = view.getUint32(1);
    last = { flags: view.getUint8(0), data: bytes.subarray(at + 5, at + 5 + length) };
    at += 5 + length;
  }
  return last;
}

/**
 * failureOf reads the error of a response that carries no message, i.e. a call that failed before
 * its implementation ran. It reads the body, so it also gives a response to send instead (with the
 * same bytes). A response the protocol refused outright (415, 405) yields the code its HTTP status
 * maps to.
 */
export async function failureOf(
  protocol: WireProtocol,
  res: UniversalServerResponse,
  compressions: readonly Compression[],
): Promise<{ error: ConnectError | undefined; response: UniversalServerResponse }> {
  const bytes = await drain(res.body);
  const response: UniversalServerResponse = {
    ...res,
    body: createAsyncIterable(bytes.byteLength > 0 ? [bytes] : []),
  };
  const fallback = new ConnectError(`HTTP ${res.status}`, codeFromHttpStatus(res.status));
  if (res.status !== 200) {
    if (protocol !== "connect" || bytes.byteLength === 0) return { error: fallback, response };
    const encoding = res.header?.get("content-encoding");
    const compression = compressions.find((c) => c.name === encoding);
    const json = compression ? await compression.decompress(bytes, 0xffffffff) : bytes;
    return { error: errorFromJsonBytes(json, undefined, fallback), response };
  }
  switch (protocol) {
    case "grpc":
      return { error: findTrailerError(res.trailer ?? new Headers()), response };
    case "grpc-web": {
      const frame = lastFrame(bytes);
      if (!frame || !(frame.flags & trailerFlag)) return { error: undefined, response };
      const compression = compressions.find((c) => c.name === res.header?.get("grpc-encoding"));
      const data =
        frame.flags & COMPRESSED && compression
          ? await compression.decompress(frame.data, 0xffffffff)
          : frame.data;
      return { error: findTrailerError(trailerParse(data)), response };
    }
    case "connect-stream": {
      const frame = lastFrame(bytes);
      if (!frame || !(frame.flags & endStreamFlag)) return { error: undefined, response };
      return { error: createEndStreamSerialization(undefined).parse(frame.data).error, response };
    }
    case "connect":
      return { error: undefined, response };
  }
}
