import type { HandlerContext } from "@connectrpc/connect";
import { API_SERVICES, health } from "@limiquantix/api";
import type { HealthRegistry } from "../observability/health";
import { type RpcRoute, route } from "./route";

/**
 * healthHandler serves grpc.health.v1.Health: the empty service name (the server as a whole) and
 * every API service that has an implementation are SERVING while every component is ready; an
 * API service whose every method answers Unimplemented is NOT_SERVING; unknown names are
 * SERVICE_UNKNOWN. Watch reports the status now and whenever it changes.
 */
export function healthHandler(
  registry: HealthRegistry,
  isShuttingDown: () => boolean,
  served: () => ReadonlySet<string>,
  pollMs = 2000,
): RpcRoute {
  const known = new Set(["", ...API_SERVICES.map((s) => s.typeName)]);
  const status = async (service: string): Promise<health.HealthCheckResponse_ServingStatus> => {
    if (!known.has(service)) return health.HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN;
    if (isShuttingDown()) return health.HealthCheckResponse_ServingStatus.NOT_SERVING;
    if (service !== "" && !served().has(service)) return health.HealthCheckResponse_ServingStatus.NOT_SERVING;
    const r = await registry.check();
    return r.ready
      ? health.HealthCheckResponse_ServingStatus.SERVING
      : health.HealthCheckResponse_ServingStatus.NOT_SERVING;
  };
  return route(health.Health, {
    async check(_ctx, req) {
      return { status: await status(req.service) };
    },
    async *watch(_ctx, req, ctx: HandlerContext) {
      let last: health.HealthCheckResponse_ServingStatus | undefined;
      while (!ctx.signal.aborted) {
        const now = await status(req.service);
        if (now !== last) {
          last = now;
          yield { status: now };
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          ctx.signal.addEventListener(
            "abort",
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
      }
    },
  });
}
