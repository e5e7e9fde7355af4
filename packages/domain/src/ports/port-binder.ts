import type { ServiceIdentifier } from "./service-identifier";

/**
 * PortBinder is the one thing an adapter package needs from a dependency-injection container:
 * a way to bind a port's service identifier to an implementation. The server adapts inversify
 * to it, so adapter packages stay free of any container library.
 */
export interface PortBinder {
  /** bind makes `id` resolve to `value`, replacing an earlier binding of `id`. */
  bind<T>(id: ServiceIdentifier<T>, value: T): void;
}

/** Closeable is a resource that holds connections or timers and must be closed on shutdown. */
export interface Closeable {
  close(): Promise<void>;
}
