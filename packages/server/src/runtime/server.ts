import { AgentClientPool } from "@limiquantix/agent-client";
import { AgentPool, Clock, Coordinator, EventBus, IdGenerator, Repositories, UnitOfWork } from "@limiquantix/domain";
import type { Container } from "inversify";
import type { Logger } from "pino";
import { bindAgentPool } from "@limiquantix/agent-client";
import { type Backends, createBackends } from "../composition/backends";
import { buildContainer, resolve } from "../composition/container";
import { createServices, type Services } from "../composition/services";
import type { Config } from "../config/schema";
import { ControllerRunner } from "../controllers/controller-runner";
import { NodeHealthController } from "../controllers/node-health";
import { type OnePortServer, startOnePortServer } from "../http/one-port-server";
import { createPlainRoutes } from "../http/plain-routes";
import { HealthRegistry } from "../observability/health";
import { createMetrics } from "../observability/metrics";
import { createConnectHandler } from "../rpc/connect-handler";
import { registerHealthService } from "../rpc/health-handler";
import { observeCalls } from "../rpc/interceptors";
import { registerRoutes } from "../rpc/routes";
import { type SimNodes, startSimNodes } from "../sim/sim-nodes";
import { agentTls } from "./agent-tls";
import { ensureDefaults } from "./defaults";

/** RunningServer is a started control plane. */
export interface RunningServer {
  readonly config: Config;
  readonly port: number;
  readonly url: string;
  readonly services: Services;
  readonly container: Container;
  readonly sims: SimNodes | undefined;
  readonly defaults: { readonly projectId: string; readonly clusterId: string };
  /** stop stops accepting, drains in-flight calls (up to the shutdown timeout) and closes everything. */
  stop(): Promise<void>;
}

/** ServerOptions are what the process gives the server besides its configuration. */
export interface ServerOptions {
  readonly logger: Logger;
  readonly version: string;
}

/**
 * startServer assembles and starts the control plane: backends for the mode (bound into an
 * inversify container, one module per adapter package), services, the one-port RPC + HTTP
 * listener, simulated nodes, and the controllers (run while this replica leads).
 */
export async function startServer(config: Config, options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  if (config.mode === "dev") logger.warn("DEV MODE: everything is kept in memory and is LOST when the server stops");
  const backends: Backends = await createBackends(config, logger);
  const cleanups: (() => Promise<void>)[] = [() => backends.close()];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => logger.error({ err: e }, "shutdown step failed"));
  };
  try {
    const tls = agentTls(config);
    const pool = new AgentClientPool({ tls: tls.tls, callTimeoutMs: config.agents.callTimeoutMs });
    cleanups.push(() => pool.close());
    const container = buildContainer([
      ...backends.modules,
      { name: "@limiquantix/agent-client", load: (b) => bindAgentPool(b, pool) },
      {
        name: "runtime",
        load: (b) => {
          b.bind(Clock, backends.clock);
          b.bind(IdGenerator, backends.ids);
        },
      },
    ]);
    const metrics = createMetrics(backends.poolStats);
    const deps = {
      repos: resolve(container, Repositories),
      uow: resolve(container, UnitOfWork),
      events: resolve(container, EventBus),
      clock: resolve(container, Clock),
      ids: resolve(container, IdGenerator),
      logger,
    };
    const services = await createServices(deps, resolve(container, AgentPool), config, metrics);
    cleanups.push(() => services.close());
    const defaults = await ensureDefaults(services, config);

    const health = new HealthRegistry();
    for (const c of backends.components) health.register(c.name, c.check);
    let shuttingDown = false;
    const shutdown = new AbortController();
    const startedAt = new Date().toISOString();
    const handler = createConnectHandler({
      routes: (router) => {
        registerRoutes(router, services);
        registerHealthService(router, health, () => shuttingDown);
      },
      interceptors: [observeCalls(logger, metrics)],
      shutdownSignal: shutdown.signal,
      maxTimeoutMs: config.server.requestTimeoutSec * 1000,
      fallback: createPlainRoutes({
        health,
        isShuttingDown: () => shuttingDown,
        ...(config.metrics.enabled ? { metrics: { registry: metrics.registry, path: config.metrics.path } } : {}),
        info: () => ({
          version: options.version,
          mode: config.mode,
          startedAt,
          components: backends.components.map((c) => ({ name: c.name, address: c.address })),
          simulatedNodes: config.simulation.nodes,
        }),
      }),
    });
    const http: OnePortServer = await startOnePortServer({
      host: config.server.host,
      port: config.server.port,
      handler,
      ...(config.server.tls ? { tls: config.server.tls } : {}),
      headersTimeoutMs: config.server.readTimeoutSec * 1000,
    });
    const scheme = config.server.tls ? "https" : "http";
    const callHost = config.server.host === "0.0.0.0" || config.server.host === "::" ? "127.0.0.1" : config.server.host;
    const url = `${scheme}://${callHost}:${http.port}`;
    cleanups.push(async () => {
      shuttingDown = true;
      shutdown.abort();
      await http.stop(config.server.shutdownTimeoutSec * 1000);
    });

    let sims: SimNodes | undefined;
    if (config.simulation.nodes > 0) {
      if (!tls.pki) throw new Error("simulated nodes need the built-in test PKI: remove agents.tls or set simulation.nodes to 0");
      sims = await startSimNodes({
        count: config.simulation.nodes,
        bootDelayMs: config.simulation.bootDelayMs,
        heartbeatIntervalMs: config.simulation.heartbeatIntervalSec * 1000,
        overcommit: config.scheduler.overcommit,
        pki: tls.pki,
        apiBaseUrl: `http://127.0.0.1:${http.port}`,
        logger,
      });
      const running = sims;
      cleanups.push(() => running.stop());
    }

    const runner = new ControllerRunner(
      resolve(container, Coordinator),
      `${process.pid}@${url}`,
      [
        services.reconciler,
        new NodeHealthController(
          deps,
          services.nodes,
          { checkIntervalMs: config.ha.checkIntervalSec * 1000, failureThreshold: config.ha.failureThreshold },
          logger,
        ),
      ],
      logger,
    );
    runner.start();
    health.register("controllers", async () => (runner.isLeader ? "leading" : "standing by (another replica leads)"));
    cleanups.push(() => runner.stop());

    return {
      config,
      port: http.port,
      url,
      services,
      container,
      sims,
      defaults,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
