import { type DescMessage, fromBinary, fromJson, type JsonValue } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Compression } from "@connectrpc/connect/protocol";
import { type FieldViolation, invalidArgument } from "@limiquantix/domain";
import { describeDecodeError, jsonViolations } from "./json-violations";
import type { WireFormat } from "./wire-protocol";

/** DecodeProblem says why a request could not be decoded: a message for people and, for JSON, the fields at fault by wire path. */
export interface DecodeProblem {
  readonly message: string;
  readonly fieldViolations: readonly FieldViolation[];
}

/** RequestBytes is what arrived of a request: its body and, for a Connect GET, its URL (the message is in the query). */
export interface RequestBytes {
  readonly body: Uint8Array;
  readonly url: string;
}

const COMPRESSED = 0b01;

function causeMessage(e: unknown): string {
  const cause = e instanceof ConnectError ? e.cause : e;
  return cause instanceof Error ? cause.message : String(cause);
}

/** messageBytes finds the (first) message of a request and whether it is compressed; undefined when the framing itself is broken, which the protocol already reports. */
function messageBytes(
  format: WireFormat,
  request: RequestBytes,
): { data: Uint8Array; compressed: boolean } | undefined {
  if (format.protocol === "connect") {
    const query = new URL(request.url).searchParams;
    const inQuery = query.get("message");
    if (inQuery === null) return { data: request.body, compressed: format.encoding !== undefined };
    const data = query.get("base64") === "1" ? base64Decode(inQuery) : new TextEncoder().encode(inQuery);
    return { data, compressed: format.encoding !== undefined };
  }
  const body = request.body;
  if (body.byteLength < 5) return undefined;
  const view = new DataView(body.buffer, body.byteOffset, 5);
  const length = view.getUint32(1);
  if (body.byteLength < 5 + length) return undefined;
  return { data: body.subarray(5, 5 + length), compressed: (view.getUint8(0) & COMPRESSED) !== 0 };
}

/**
 * findDecodeProblem decodes a request the way its protocol says (decompression, then binary
 * protobuf or JSON) and reports the first thing that stops it, naming JSON fields by their wire
 * path. It runs only for a call that failed before its handler, to tell the caller what was wrong;
 * undefined means the body decodes, so the call failed for another reason.
 */
export async function findDecodeProblem(
  input: DescMessage,
  format: WireFormat,
  request: RequestBytes,
  compressions: readonly Compression[],
  readMaxBytes: number,
): Promise<DecodeProblem | undefined> {
  const found = messageBytes(format, request);
  if (!found) return undefined;
  let data = found.data;
  if (found.compressed) {
    const compression = compressions.find((c) => c.name === format.encoding);
    if (!compression) return undefined;
    try {
      data = await compression.decompress(data, readMaxBytes);
    } catch (e) {
      if (e instanceof ConnectError && e.code === Code.ResourceExhausted) return undefined;
      return {
        message: `the request body is not valid ${compression.name} data (${causeMessage(e)})`,
        fieldViolations: [],
      };
    }
  }
  if (format.binary) {
    try {
      fromBinary(input, data);
      return undefined;
    } catch (e) {
      return {
        message: `the request is not a valid ${input.typeName} in the protobuf binary format (${causeMessage(e)})`,
        fieldViolations: [],
      };
    }
  }
  let json: JsonValue;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data)) as JsonValue;
  } catch (e) {
    return { message: `the request body is not JSON (${causeMessage(e)})`, fieldViolations: [] };
  }
  const violations = jsonViolations(input, json);
  if (violations.length > 0)
    return { message: invalidArgument(violations).message, fieldViolations: violations };
  try {
    fromJson(input, json);
    return undefined;
  } catch (e) {
    return {
      message: `the request is not a valid ${input.typeName} (${describeDecodeError(causeMessage(e))})`,
      fieldViolations: [],
    };
  }
}
