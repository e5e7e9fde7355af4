import { DomainError, ErrorCode } from "@limiquantix/domain";

/**
 * TokenRejectionReason says, for machines, why an access token was refused: a client refreshes on
 * `expired`, and an operator reading logs tells a clock problem (`not-yet-valid`) from a forgery.
 */
export type TokenRejectionReason =
  | "malformed"
  | "algorithm-not-allowed"
  | "missing-key-id"
  | "unknown-key-id"
  | "signature-invalid"
  | "expired"
  | "not-yet-valid"
  | "wrong-issuer"
  | "wrong-audience"
  | "wrong-type"
  | "invalid-claims";

/**
 * tokenRejected builds the Unauthenticated error for a refused token, with the reason in
 * `details.reason`. The domain package has no Unauthenticated helper yet, hence this one; the
 * message must never quote the token or any value read from it.
 */
export function tokenRejected(reason: TokenRejectionReason, message: string): DomainError {
  return new DomainError(ErrorCode.Unauthenticated, message, { reason });
}
