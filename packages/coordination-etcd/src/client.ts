import { invalidArgument } from "@limiquantix/domain";
import { ExponentialBackoff, type IBackoff, noop } from "cockatiel";
import { Etcd3 } from "etcd3";

/** EtcdConnectionOptions say where etcd is and how long a call may take. */
export interface EtcdConnectionOptions {
  /** Client URLs, e.g. `["http://127.0.0.1:2379"]`. */
  readonly endpoints: readonly string[];
  /** Deadline of each unary call, in ms (default 3000): a dead server never hangs a call longer. */
  readonly callTimeoutMs?: number;
  /** etcd user, when authentication is enabled. */
  readonly auth?: { readonly username: string; readonly password: string };
}

/** DEFAULT_CALL_TIMEOUT_MS is the default deadline of one etcd call. */
export const DEFAULT_CALL_TIMEOUT_MS = 3000;

function validateEndpoints(endpoints: unknown): string[] {
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw invalidArgument([
      { field: "endpoints", description: "must list at least one etcd URL such as http://127.0.0.1:2379" },
    ]);
  }
  return endpoints.map((e, i) => {
    if (typeof e !== "string" || !/^https?:\/\/[^/]+/.test(e)) {
      throw invalidArgument([
        {
          field: `endpoints[${i}]`,
          description: `must be an http:// or https:// URL (got ${JSON.stringify(e)})`,
        },
      ]);
    }
    return e;
  });
}

/**
 * openEtcd creates an etcd3 client whose unary calls carry a deadline and are not retried or
 * circuit-broken by the driver: the recipes above it decide when to retry, so an outage is
 * seen at once and recovery is not delayed by a half-open circuit.
 */
export function openEtcd(options: EtcdConnectionOptions): Etcd3 {
  const hosts = validateEndpoints(options.endpoints);
  const timeout = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    throw invalidArgument([
      { field: "callTimeoutMs", description: `must be a positive integer (got ${timeout})` },
    ]);
  }
  return new Etcd3({
    hosts,
    dialTimeout: timeout,
    // gRPC's default reconnect backoff grows to two minutes; a restarted etcd should be used
    // again within a second.
    grpcOptions: { "grpc.initial_reconnect_backoff_ms": 100, "grpc.max_reconnect_backoff_ms": 1000 },
    ...(options.auth ? { auth: { username: options.auth.username, password: options.auth.password } } : {}),
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    // Watches reconnect quickly after an outage so resumed watches catch up soon.
    faultHandling: {
      host: () => noop,
      global: noop,
      // etcd3 types this as a backoff but calls next() on it first, as on a factory.
      watchBackoff: new ExponentialBackoff({
        initialDelay: 100,
        maxDelay: 2000,
      }) as unknown as IBackoff<unknown>,
    },
  });
}
