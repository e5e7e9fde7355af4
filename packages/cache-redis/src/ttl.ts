/** VM_TTL_MS is how long a cached virtual machine stays fresh: 5 minutes. */
export const VM_TTL_MS = 5 * 60 * 1000;

/** NODE_TTL_MS is how long a cached node stays fresh: 1 minute (nodes report often). */
export const NODE_TTL_MS = 60 * 1000;

/** API_RESPONSE_TTL_MS is how long a cached API response stays fresh: 60 seconds. */
export const API_RESPONSE_TTL_MS = 60 * 1000;

/** SESSION_TTL_MS is how long a session lives unless revoked: 24 hours. */
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** DEFAULT_TTLS groups the default lifetimes, for configuration screens and overrides. */
export const DEFAULT_TTLS = {
  vm: VM_TTL_MS,
  node: NODE_TTL_MS,
  apiResponse: API_RESPONSE_TTL_MS,
  session: SESSION_TTL_MS,
} as const;
