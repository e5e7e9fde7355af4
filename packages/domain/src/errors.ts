/** ErrorCode is the closed set of failure kinds every LimiQuantix package speaks. */
export const ErrorCode = {
  NotFound: "NotFound",
  AlreadyExists: "AlreadyExists",
  InvalidArgument: "InvalidArgument",
  FailedPrecondition: "FailedPrecondition",
  Conflict: "Conflict",
  ResourceExhausted: "ResourceExhausted",
  Unauthenticated: "Unauthenticated",
  PermissionDenied: "PermissionDenied",
  Unavailable: "Unavailable",
  Internal: "Internal",
} as const;

/** ErrorCode is one of the closed set of error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** ERROR_CODES lists every error code, for exhaustive mapping tables. */
export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([ErrorCode.Unavailable, ErrorCode.Conflict]);

/** FieldViolation names one input field and the rule it broke. */
export interface FieldViolation {
  /** Dotted path of the field, e.g. `spec.memory.sizeMib`. */
  readonly field: string;
  /** What is wrong, e.g. `must be at least 512 (got 128)`. */
  readonly description: string;
}

/** ResourceRef identifies the resource an error is about. */
export interface ResourceRef {
  readonly kind: string;
  readonly id?: string;
  readonly name?: string;
}

/** ErrorDetails is the structured part of a DomainError. */
export interface ErrorDetails {
  readonly fieldViolations?: readonly FieldViolation[];
  readonly resource?: ResourceRef;
  /** Suggested wait before a retry, in milliseconds. */
  readonly retryAfterMs?: number;
  /**
   * Preconditions a FailedPrecondition broke, each with its kind (`HA_ADMISSION_CONTROL`), what it
   * is about (`clusters/<id>`) and what is wrong (google.rpc.PreconditionFailure on the wire).
   */
  readonly preconditionViolations?: readonly {
    readonly type: string;
    readonly subject: string;
    readonly description: string;
  }[];
  /** Free-form details (per-node reasons of a placement failure, for instance). */
  readonly [key: string]: unknown;
}

/**
 * DOMAIN_ERROR_BRAND marks DomainErrors. It is a global symbol, so an error made by one copy of
 * this package (its CommonJS build, say) is recognised by another (its ES module build), where
 * `instanceof` on the class alone would not be.
 */
export const DOMAIN_ERROR_BRAND: unique symbol = Symbol.for("limiquantix.DomainError");

function isBranded(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { [DOMAIN_ERROR_BRAND]?: unknown })[DOMAIN_ERROR_BRAND] === true &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** DomainError is the one error class of LimiQuantix: a code, a message that says what to do, and details. */
export class DomainError extends Error {
  override readonly name = "DomainError";
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  /**
   * `instanceof DomainError` recognises DomainErrors of every copy of this package by their
   * brand; a subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`, perhaps a subclass.
    if (this !== DomainError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isBranded(value);
  }

  /** The brand every copy of this class shares (on the prototype, so equality and JSON ignore it). */
  get [DOMAIN_ERROR_BRAND](): true {
    return true;
  }

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** isRetryable says whether the same call may succeed if tried again; it follows from the code. */
  get isRetryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** toJSON gives a plain object fit for logs and wire payloads. */
  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** isRetryableCode says whether errors of this code are worth retrying. */
export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** isDomainError narrows an unknown thrown value to a DomainError, made by this copy of the package or another. */
export function isDomainError(value: unknown): value is DomainError {
  return isBranded(value);
}

/** hasErrorCode says whether a thrown value is a DomainError with the given code. */
export function hasErrorCode(value: unknown, code: ErrorCode): value is DomainError {
  return isDomainError(value) && value.code === code;
}

function describe(ref: ResourceRef): string {
  if (ref.name !== undefined) return `${ref.kind} "${ref.name}"`;
  if (ref.id !== undefined) return `${ref.kind} ${ref.id}`;
  return ref.kind;
}

/** notFound builds the NotFound error for a missing resource. */
export function notFound(kind: string, id: string, name?: string): DomainError {
  const resource: ResourceRef = name === undefined ? { kind, id } : { kind, id, name };
  return new DomainError(ErrorCode.NotFound, `${describe(resource)} not found`, { resource });
}

/** alreadyExists builds the AlreadyExists error for a duplicate name or key. */
export function alreadyExists(kind: string, key: string, scope?: string): DomainError {
  const where = scope ? ` in ${scope}` : "";
  return new DomainError(ErrorCode.AlreadyExists, `${kind} "${key}" already exists${where}`, {
    resource: { kind, name: key },
  });
}

/** conflict builds the Conflict error for a stale resourceVersion. */
export function conflict(kind: string, id: string, expected: number, actual: number): DomainError {
  return new DomainError(
    ErrorCode.Conflict,
    `${kind} ${id} was modified concurrently: resourceVersion ${expected} is stale (current is ${actual}); read it again and retry`,
    { resource: { kind, id }, expectedVersion: expected, actualVersion: actual },
  );
}

/** invalidArgument builds the InvalidArgument error from field violations. */
export function invalidArgument(violations: readonly FieldViolation[], subject?: string): DomainError {
  const head = violations
    .slice(0, 3)
    .map((v) => `${v.field} ${v.description}`)
    .join("; ");
  const more = violations.length > 3 ? `; and ${violations.length - 3} more` : "";
  const prefix = subject ? `invalid ${subject}: ` : "";
  return new DomainError(ErrorCode.InvalidArgument, `${prefix}${head}${more}`, {
    fieldViolations: violations,
  });
}

/** failedPrecondition builds the FailedPrecondition error: the request is valid but the system is not in a state to do it. */
export function failedPrecondition(message: string, details: ErrorDetails = {}): DomainError {
  return new DomainError(ErrorCode.FailedPrecondition, message, details);
}

/** unauthenticated builds the Unauthenticated error: the call carries no valid credentials. */
export function unauthenticated(message: string, details: ErrorDetails = {}): DomainError {
  return new DomainError(ErrorCode.Unauthenticated, message, details);
}

/** permissionDenied builds the PermissionDenied error: the caller is known and may not do this. */
export function permissionDenied(message: string, details: ErrorDetails = {}): DomainError {
  return new DomainError(ErrorCode.PermissionDenied, message, details);
}

/** resourceExhausted builds the ResourceExhausted error: capacity or quota ran out. */
export function resourceExhausted(message: string, details: ErrorDetails = {}): DomainError {
  return new DomainError(ErrorCode.ResourceExhausted, message, details);
}

/** unavailable builds the Unavailable error: a dependency cannot be reached right now. */
export function unavailable(message: string, details: ErrorDetails = {}, cause?: unknown): DomainError {
  return new DomainError(ErrorCode.Unavailable, message, details, { cause });
}

/** internal builds the Internal error: a bug or an unexpected state. */
export function internal(message: string, cause?: unknown): DomainError {
  return new DomainError(ErrorCode.Internal, message, {}, { cause });
}

/** toDomainError turns any thrown value into a DomainError, keeping DomainErrors as they are. */
export function toDomainError(value: unknown): DomainError {
  if (isDomainError(value)) return value;
  const message = value instanceof Error ? value.message : String(value);
  return internal(message, value);
}
