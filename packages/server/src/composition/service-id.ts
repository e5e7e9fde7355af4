import type { ServiceIdentifier } from "@limiquantix/domain";

/**
 * serviceId makes the container identifier of one of the server's services, controllers or
 * settings; `Symbol.for` keeps it the same when two copies of this package are loaded.
 */
export function serviceId<T>(name: string): ServiceIdentifier<T> {
  return Symbol.for(`limiquantix.server.${name}`);
}
