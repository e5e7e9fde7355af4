/**
 * ServiceIdentifier is a symbol that names a port in a dependency-injection container and
 * carries the port's type, so `container.get(VmRepository)` is typed. It is compatible with
 * inversify's service identifiers.
 */
export type ServiceIdentifier<T> = symbol & { readonly __port?: T };

/** serviceIdentifier makes the global symbol `limiquantix.<name>` typed as the port T. */
export function serviceIdentifier<T>(name: string): ServiceIdentifier<T> {
  return Symbol.for(`limiquantix.${name}`) as ServiceIdentifier<T>;
}

/** Subscription is a handle to stop receiving from a subscription. */
export interface Subscription {
  /** unsubscribe stops delivery; it is safe to call more than once. */
  unsubscribe(): Promise<void>;
}
