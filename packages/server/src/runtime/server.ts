import { setMaxListeners } from "node:events";
import { createContextValues } from "@connectrpc/connect";
import { AgentClientPool, bindAgentPool } from "@limiquantix/agent-client";
import { ChangeLog, Coordinator } from "@limiquantix/domain";
import { type Container, ContainerModule } from "inversify";
import type { Logger } from "pino";
import { type Backends, createBackends } from "../composition/backends";
import { portModule } from "../composition/backends/port-module";
import { createControlPlane, type Services } from "../composition/services";
import type { Config } from "../config/schema";
import { ControllerRunner } from "../controllers/controller-runner";
import { withCors } from "../http/cors";
import { type OnePortServer, startOnePortServer } from "../http/one-port-server";
import { createPlainRoutes } from "../http/plain-routes";
import { HealthRegistry } from "../observability/health";
import { type ChangeLogFigures, createMetrics } from "../observability/metrics";
import { verifiedPeerCertificate } from "../http/peer-certificate";
import { PEER_ADDRESS, PEER_CERTIFICATE, withCallContext } from "../rpc/call-context-interceptor";
import { createConnectHandler } from "../rpc/connect-handler";
import { healthHandler } from "../rpc/health-handler";
import { registerRoutes } from "../rpc/route";
import { SimLab } from "../sim/sim-lab";
import { type SimNodes, startSimNodes } from "../sim/sim-nodes";
import { HA } from "../ha/ha-ids";
import { setUpAccess } from "../auth/access-setup";
import { AUTH } from "../auth/auth-ids";
import { type BootstrapResult, ensureAdmin } from "../auth/identity/bootstrap-admin";
import type { UserService } from "../auth/identity/user-service";
import type { JoinTokenService } from "../auth/nodes/join-token-service";
import { NODE_JOIN } from "../auth/nodes/node-join-ids";
import type { TokenIssuer } from "../auth/tokens";
import { type AgentTls, agentTls } from "./agent-tls";
import type { TestPki } from "@limiquantix/agent-client/testing";
import { everyHour } from "./housekeeping";
import { metricsAllowed, simJoinToken, simulatedNodesTrust } from "./access-helpers";
import { ensureDefaults } from "./defaults";

/** RunningServer is a started control plane. */
export interface RunningServer {
  readonly config: Config;
  readonly port: number;
  /** url is where clients reach the server (loopback when it listens on every interface). */
  readonly url: string;
  readonly services: Services;
  readonly container: Container;
  readonly sims: SimNodes | undefined;
  readonly defaults: { readonly projectId: string; readonly clusterId: string };
  /** bootstrap says what this start created to sign in with, on a first start. */
  readonly bootstrap?: BootstrapResult;
  /** tokens signs and verifies this server's access tokens. */
  readonly tokens: TokenIssuer;
  /** stop stops accepting, drains in-flight calls (up to the shutdown timeout) and closes everything. */
  stop(): Promise<void>;
}

/** ServerOptions are what the process gives the server besides its configuration. */
export interface ServerOptions {
  readonly logger: Logger;
  readonly version: string;
  /**
   * modules are loaded after the built-in ones, so they can rebind a port, a service or a route:
   * `new ContainerModule(({ rebindSync }) => rebindSync(COMPUTE.vms).toConstantValue(myVms))`.
   */
  readonly modules?: readonly ContainerModule[];
  /**
   * simLab holds the controls of simulated nodes. Replicas started in one process (tests, demos)
   * can share one, so the leader fences simulated nodes that another replica runs through their
   * simulated BMC; by default a server with simulated nodes has its own.
   */
  readonly simLab?: SimLab;
  /**
   * simPki is the throwaway PKI of simulated nodes and of this server's client identity towards
   * agents when no `agents.tls` is configured. Replicas in one process that share simulated nodes
   * share one, so every replica can reach every simulated agent; by default each server issues its own.
   */
  readonly simPki?: TestPki;
}

/** urlHost is the host clients use to reach a listener bound to `host`. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::" || host === "") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * startServer assembles and starts the control plane: the mode's backends (one container module
 * per adapter package), every API area's services and handlers, the one-port RPC + HTTP listener,
 * simulated nodes, and the controllers (run while this replica leads).
 */
export async function startServer(config: Config, options: ServerOptions): Promise<RunningServer> {
  const { logger } = options;
  if (config.mode === "dev")
    logger.warn("DEV MODE: everything is kept in memory and is LOST when the server stops");
  // The agents' TLS identity (a throwaway PKI without agents.tls: keys made on the thread pool)
  // is made while the backends connect.
  const tlsReady: Promise<AgentTls> =
    options.simPki && !config.agents.tls
      ? Promise.resolve({
          tls: {
            ca: options.simPki.ca.cert,
            cert: options.simPki.client.cert,
            key: options.simPki.client.key,
          },
          pki: options.simPki,
        })
      : agentTls(config);
  // Awaited below; when the backends fail first, its own failure is not the one to report.
  tlsReady.catch(() => undefined);
  const backends: Backends = await createBackends(config, logger);
  const cleanups: (() => Promise<void>)[] = [() => backends.close()];
  const cleanup = async () => {
    for (const c of cleanups.reverse())
      await c().catch((e: unknown) => logger.error({ err: e }, "shutdown step failed"));
  };
  try {
    const tls = await tlsReady;
    const pool = new AgentClientPool({ tls: tls.tls, callTimeoutMs: config.agents.callTimeoutMs });
    cleanups.push(() => pool.close());
    let changeLogFigures: ChangeLogFigures | undefined;
    const metrics = createMetrics(backends.poolStats, () => changeLogFigures);
    const access = await setUpAccess(config, backends.identity, logger);
    const simLab = options.simLab ?? (config.simulation.nodes > 0 ? new SimLab() : undefined);
    const plane = await createControlPlane({
      adapters: [...backends.modules, portModule((b) => bindAgentPool(b, pool))],
      config,
      logger,
      metrics,
      modules: [
        access.module,
        access.nodeJoinModule,
        // With simulated nodes, their switches: the simulated BMC fences them and SimulationService fails them.
        ...(simLab ? [new ContainerModule(({ bind }) => void bind(HA.simLab).toConstantValue(simLab))] : []),
        ...(options.modules ?? []),
      ],
    });
    cleanups.push(() => plane.close());
    const { services, container } = plane;
    const log = container.get<ChangeLog>(ChangeLog);
    changeLogFigures = async () => ({
      head: await log.head(),
      oldest: await log.oldest(),
      relayed: services.relay.revision,
    });
    const defaults = await ensureDefaults(services, config);
    const bootstrap = await ensureAdmin(container.get<UserService>(AUTH.users), services.deps.repos.users, {
      ...(process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD
        ? { password: process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD }
        : {}),
      ...(config.mode === "embedded" ? { dataDir: config.dataDir } : {}),
    });

    const health = new HealthRegistry();
    for (const c of backends.components) health.register(c.name, c.check);
    let shuttingDown = false;
    let served: ReadonlySet<string> = new Set();
    const shutdown = new AbortController();
    // Every call in flight listens to it (to end at shutdown): many at once is normal, not a leak.
    setMaxListeners(0, shutdown.signal);
    const startedAt = new Date().toISOString();
    const handler = createConnectHandler({
      routes: (router) => {
        served = registerRoutes(router, [
          ...plane.routes(),
          healthHandler(
            health,
            () => shuttingDown,
            () => served,
          ),
        ]);
      },
      logger,
      metrics,
      interceptors: [withCallContext(), access.interceptor(services.deps)],
      maxRequestBytes: config.server.maxRequestBytes,
      contextValues: (req) =>
        createContextValues()
          .set(PEER_ADDRESS, req.socket?.remoteAddress)
          .set(PEER_CERTIFICATE, verifiedPeerCertificate(req.socket)),
      shutdownSignal: shutdown.signal,
      maxTimeoutMs: config.server.requestTimeoutSec * 1000,
      fallback: createPlainRoutes({
        health,
        jwks: () => access.tokens.jwks(),
        ...(config.auth.enabled && config.auth.metricsRequireToken
          ? { metricsAccess: (authorization) => metricsAllowed(access, authorization) }
          : {}),
        isShuttingDown: () => shuttingDown,
        ...(config.metrics.enabled
          ? { metrics: { registry: metrics.registry, path: config.metrics.path } }
          : {}),
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
      handler: withCors(handler, config.server.cors),
      ...(config.server.tls ? { tls: config.server.tls } : {}),
      ...(config.server.tls && access.nodeCa ? { clientCa: access.nodeCa.certPem } : {}),
      headersTimeoutMs: config.server.readTimeoutSec * 1000,
    });
    const scheme = config.server.tls ? "https" : "http";
    const url = `${scheme}://${urlHost(config.server.host)}:${http.port}`;
    cleanups.push(async () => {
      shuttingDown = true;
      shutdown.abort();
      await http.stop(config.server.shutdownTimeoutSec * 1000);
    });

    let sims: SimNodes | undefined;
    if (config.simulation.nodes > 0) {
      if (!tls.pki)
        throw new Error(
          "simulated nodes need the built-in test PKI: remove agents.tls or set simulation.nodes to 0",
        );
      // The simulated agents join as real ones do: with a join token, over the API.
      const join = await simJoinToken(container.get(NODE_JOIN.tokens), config.simulation.nodes);
      try {
        sims = await startSimNodes({
          count: config.simulation.nodes,
          bootDelayMs: config.simulation.bootDelayMs,
          heartbeatIntervalMs: config.simulation.heartbeatIntervalSec * 1000,
          overcommit: config.scheduler.overcommit,
          pki: tls.pki,
          apiBaseUrl: `${scheme}://${urlHost(config.server.host)}:${http.port}`,
          joinToken: join.token,
          ...(config.server.tls
            ? {
                apiTls: {
                  ca: await simulatedNodesTrust(config.server.tls),
                  nodeCertificates: access.nodeCa !== undefined,
                },
              }
            : {}),
          logger,
        });
      } finally {
        await join.revoke();
      }
      const running = sims;
      for (const [hostname, nodeId] of running.nodeIds) simLab?.add(nodeId, running.controls(hostname));
      cleanups.push(() => running.stop());
    }

    // Replicas that share the store fence their leader's writes; embedded and dev mode have one
    // process per store (and an in-process election whose tokens start again at each start).
    const fenced = config.mode === "production";
    const runner = new ControllerRunner(
      container.get<Coordinator>(Coordinator),
      `${process.pid}@${url}`,
      plane.controllers(),
      logger,
      {
        ...(fenced
          ? {
              fences: container.get<ChangeLog>(ChangeLog),
              // Well inside the lease's step-down time (half its TTL), so a leader paused past its
              // lease presents its fence (and is refused) before its own lease watchdog fires.
              fenceCheckMs: Math.max(250, Math.min(2000, (config.etcd.leaseTtlSec * 1000) / 8)),
            }
          : {}),
        onLeading: (leading) => metrics.controllersLeading.set(leading ? 1 : 0),
        onFenced: () => metrics.controllersFenced.inc(),
      },
    );
    runner.start();
    const retentionDays = config.auth.auditRetentionDays;
    if (retentionDays > 0)
      cleanups.push(
        everyHour(logger, "pruning the audit log", () =>
          services.deps.repos.audit.prune(new Date(Date.now() - retentionDays * 86_400_000).toISOString()),
        ),
      );
    const { identity } = backends;
    if (identity.purgeEnded)
      cleanups.push(
        everyHour(logger, "purging ended sessions", () => identity.purgeEnded?.() ?? Promise.resolve(0)),
      );
    // Join tokens that ended a day ago (expired or used up).
    const joinTokens = container.get<JoinTokenService>(NODE_JOIN.tokens);
    cleanups.push(everyHour(logger, "purging ended join tokens", () => joinTokens.purgeEnded()));
    health.register("controllers", async () =>
      runner.isLeader ? "leading" : "standing by (another replica leads)",
    );
    cleanups.push(() => runner.stop());

    return {
      config,
      port: http.port,
      url,
      services,
      container,
      sims,
      defaults,
      ...(bootstrap ? { bootstrap } : {}),
      tokens: access.tokens,
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
