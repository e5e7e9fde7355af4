export type { AccessClaims } from "./access-claims";
export { HS256_KID, HS256_MIN_BYTES, KeyRing, type KeyRingOptions, type KeyRingSource } from "./key-ring";
export { KEY_FILE_NAME } from "./key-file";
export type { SigningKey, TokenAlgorithm, VerificationKey } from "./ring-key";
export { ACCESS_TOKEN_TYPE, MAX_TOKEN_LENGTH, TokenIssuer, type TokenIssuerOptions } from "./token-issuer";
export type { TokenRejectionReason } from "./token-rejection";
