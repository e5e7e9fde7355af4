import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { type Path, pathToString } from "@bufbuild/protobuf/reflect";
import type { Interceptor } from "@connectrpc/connect";
import { createValidator, type Validator, type Violation } from "@bufbuild/protovalidate";
import { type FieldViolation, internal, invalidArgument } from "@limiquantix/domain";
import { toConnectError } from "../error-mapping";
import { requestIdOf } from "./request-id";
import { inUpdateScope, updateMaskOf } from "./update-scope";
import { describeRule, isIntegerPath, messageAt, valueAt } from "./violation-messages";

/**
 * attributed points a message-wide rule whose message starts with one of the message's fields
 * (`to must be at least from`, on a PortRange) at that field, so the caller is told which to fix:
 * `rule.port_range.to must be at least from (got 80)`.
 */
function attributed(schema: DescMessage, violation: Violation): { path: Path; text: string } {
  const { field: path, message } = violation;
  // A message-wide rule has no path into the field rules (or one into MessageRules).
  const rule = violation.rule[0];
  const messageWide =
    rule === undefined || (rule.kind === "field" && rule.parent.typeName === "buf.validate.MessageRules");
  const [first = "", ...rest] = message.split(" ");
  const field =
    messageWide && rest.length > 0
      ? messageAt(schema, path)?.fields.find((f) => f.name === first)
      : undefined;
  return field ? { path: [...path, field], text: rest.join(" ") } : { path, text: message };
}

/**
 * checkRequest enforces the `buf.validate` rules of a request's message type, the ones written in
 * the API's protos, and throws InvalidArgument listing every violation by wire path
 * (`spec.memory_mib`, `labels["env"]`). Of an update, only the part it changes is held to them.
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
  const mask = updateMaskOf(schema, message);
  const violations: FieldViolation[] = [];
  for (const v of result.error.violations) {
    const { path, text } = attributed(schema, v);
    const value = v.forKey ? undefined : valueAt(message, path);
    if (mask && !inUpdateScope(path, mask, value)) continue;
    violations.push({
      field: pathToString(path) || "(request)",
      description: describeRule(text, value, isIntegerPath(path)),
    });
  }
  if (violations.length === 0) return;
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
