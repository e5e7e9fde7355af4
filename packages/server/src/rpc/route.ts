import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { API_SERVICES } from "@limiquantix/api";
import type { ServiceIdentifier } from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { callContextOf } from "./call-context-interceptor";

/** RpcRoute is the implementation an API area gives for one service of the API; methods it leaves out answer Unimplemented. */
export interface RpcRoute {
  readonly service: DescService;
  readonly impl: Partial<ServiceImpl<DescService>>;
}

/** RpcRoute is the service identifier under which area modules bind their routes (many bindings). */
export const RpcRoute: ServiceIdentifier<RpcRoute> = Symbol.for("limiquantix.server.RpcRoute");

/**
 * HandlerImpl is how an area implements a service: each method takes the call's
 * {@link CallContext} first and the decoded request second, like the service methods it calls.
 */
export type HandlerImpl<S extends DescService> = {
  [K in keyof ServiceImpl<S>]?: ServiceImpl<S>[K] extends (req: infer I, ctx: HandlerContext) => infer R
    ? (ctx: CallContext, req: I, handler: HandlerContext) => R
    : never;
};

/**
 * route pairs a service with its handler, typed by the service; methods the handler leaves out
 * answer Unimplemented.
 */
export function route<S extends DescService>(service: S, handler: HandlerImpl<S>): RpcRoute {
  const impl: Record<string, (req: unknown, h: HandlerContext) => unknown> = {};
  for (const [name, fn] of Object.entries(handler) as [
    string,
    (c: CallContext, r: unknown, h: HandlerContext) => unknown,
  ][]) {
    impl[name] = (req, h) => fn.call(handler, callContextOf(h), req, h);
  }
  // Connect checks each method's shape when the service is mounted; the mapped type above checks it here.
  return { service, impl: impl as unknown as Partial<ServiceImpl<DescService>> };
}

/**
 * registerRoutes mounts every service of the API on the router: the given implementation where an
 * area provides one, and for every other service and method an answer of Unimplemented naming the
 * method (an unmounted service would answer HTTP 404/405, which gRPC clients see as `unknown`).
 * When two routes are bound for one service, the later one wins, so an integrator's module can
 * replace a built-in handler. It returns the names of the services that have at least one
 * implemented method.
 */
export function registerRoutes(router: ConnectRouter, routes: readonly RpcRoute[]): ReadonlySet<string> {
  const byName = new Map<string, RpcRoute>();
  for (const r of routes) byName.set(r.service.typeName, r);
  const served = new Set<string>();
  for (const service of API_SERVICES) {
    const impl = byName.get(service.typeName)?.impl ?? {};
    if (Object.values(impl).some((m) => typeof m === "function")) served.add(service.typeName);
    router.service(service, impl);
    byName.delete(service.typeName);
  }
  for (const extra of byName.values()) {
    router.service(extra.service, extra.impl);
    served.add(extra.service.typeName);
  }
  return served;
}
