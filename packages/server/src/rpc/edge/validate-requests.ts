import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { type Path, pathToString } from "@bufbuild/protobuf/reflect";
import type { Interceptor } from "@connectrpc/connect";
import { createValidator, type Validator } from "@bufbuild/protovalidate";
import { type FieldViolation, internal, invalidArgument } from "@limiquantix/domain";
import { toConnectError } from "../error-mapping";
import { requestIdOf } from "./request-id";

/** valueAt reads the value a violation's path points at, following fields (oneof members included), list indexes and map keys. */
function valueAt(message: unknown, path: Path): unknown {
  let at = message;
  for (const item of path) {
    if (typeof at !== "object" || at === null) return undefined;
    const holder = at as Record<string, unknown>;
    switch (item.kind) {
      case "field": {
        if (item.oneof) {
          const chosen = holder[item.oneof.localName] as { case?: string; value?: unknown } | undefined;
          at = chosen?.case === item.localName ? chosen.value : undefined;
        } else at = holder[item.localName];
        break;
      }
      case "list_sub":
        at = (at as unknown[])[item.index];
        break;
      case "map_sub":
        at = holder[String(item.key)];
        break;
      default:
        return undefined;
    }
  }
  return at;
}

function shown(value: unknown): string | undefined {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  return undefined;
}

/** describeRule rewords protovalidate's message to follow the field name and adds the value given, for scalars (`must be at most 64 characters (got "vvv…")`). */
function describeRule(message: string, value: unknown): string {
  const rule = message.replace(/^value /, "");
  const got = shown(value);
  return got === undefined || rule.includes("(got") ? rule : `${rule} (got ${got})`;
}

/**
 * checkRequest enforces the `buf.validate` rules of a request's message type, the ones written in
 * the API's protos, and throws InvalidArgument listing every violation by wire path
 * (`spec.memory_mib`, `labels["env"]`).
 */
export function checkRequest<D extends DescMessage>(
  validator: Validator,
  schema: D,
  message: MessageShape<D>,
): void {
  const result = validator.validate(schema, message);
  if (result.kind === "valid") return;
  if (result.kind === "error")
    throw internal(
      `the validation rules of ${schema.typeName} cannot be evaluated: ${result.error.message}`,
      result.error,
    );
  const violations: FieldViolation[] = result.error.violations.map((v) => ({
    field: pathToString(v.field) || "(request)",
    description: describeRule(v.message, v.forKey ? undefined : valueAt(message, v.field)),
  }));
  throw invalidArgument(violations);
}

async function* checkedInput<D extends DescMessage>(
  validator: Validator,
  schema: D,
  input: AsyncIterable<MessageShape<D>>,
  requestId: string,
) {
  for await (const message of input) {
    try {
      checkRequest(validator, schema, message);
    } catch (e) {
      throw toConnectError(e, requestId);
    }
    yield message;
  }
}

/**
 * validateRequests is the interceptor that holds every request to its proto's `buf.validate`
 * rules before a handler sees it, so the protos stay the one statement of what a valid request
 * is; a violation is answered InvalidArgument with the request id and the standard details.
 * Rules are compiled once per message type, on first use.
 */
export function validateRequests(validator: Validator = createValidator()): Interceptor {
  return (next) => async (req) => {
    const requestId = requestIdOf(req.header);
    if (req.stream)
      return next({ ...req, message: checkedInput(validator, req.method.input, req.message, requestId) });
    try {
      checkRequest(validator, req.method.input, req.message);
    } catch (e) {
      throw toConnectError(e, requestId);
    }
    return next(req);
  };
}
