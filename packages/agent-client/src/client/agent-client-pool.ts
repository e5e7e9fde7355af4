import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { isIP } from "node:net";
import type { Transport } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import {
  type AgentEndpoint,
  AgentPool,
  type HypervisorAgent,
  invalidArgument,
  notFound,
  type PortBinder,
} from "@limiquantix/domain";
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from "./circuit-breaker";
import { RemoteAgent, type RemoteAgentOptions } from "./remote-agent";
import { resolveRetry, type RetryOptions } from "./retry-policy";

/** AgentTlsOptions are the control plane's credentials for mutual TLS with agents, all PEM. */
export interface AgentTlsOptions {
  /** The CA that signed the agents' certificates; agents signed by any other CA are refused. */
  readonly ca: string;
  /** The client certificate the agents check. */
  readonly cert: string;
  readonly key: string;
}

/** AgentClientPoolOptions configure an AgentClientPool. */
export interface AgentClientPoolOptions {
  readonly tls: AgentTlsOptions;
  /** Deadline of each unary call (default 5000 ms). */
  readonly callTimeoutMs?: number;
  /** Deadline of a whole migration (default 10 minutes). */
  readonly migrationTimeoutMs?: number;
  /** Retries of idempotent (read-only) calls when the agent is unreachable. */
  readonly retry?: RetryOptions;
  /** Per-node circuit breakers. */
  readonly breaker?: CircuitBreakerOptions;
  /** HTTP/2 keep-alive pings, so a dead connection is noticed even when idle (default 15000 ms). */
  readonly pingIntervalMs?: number;
}

interface Connection {
  readonly endpoint: AgentEndpoint;
  readonly agent: RemoteAgent;
  readonly breaker: CircuitBreaker;
  readonly session?: Http2SessionManager;
}

/** parseAgentAddress splits `host:port` (or `[v6]:port`), throwing InvalidArgument when it is not one. */
export function parseAgentAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port < 1 || port > 65_535)
    throw invalidArgument([
      {
        field: "address",
        description: `must be host:port with a port of 1–65535 (got ${JSON.stringify(address)})`,
      },
    ]);
  return { host: (m[1] ?? m[2]) as string, port };
}

/**
 * AgentClientPool implements the AgentPool port over NodeAgentService: one HTTP/2 connection per
 * node with mutual TLS, the agent's certificate checked against the node's expected name, per-call
 * deadlines, retries for idempotent calls and a circuit breaker per node.
 */
export class AgentClientPool implements AgentPool {
  private readonly connections = new Map<string, Connection>();
  private readonly agentOptions: RemoteAgentOptions;

  constructor(private readonly options: AgentClientPoolOptions) {
    this.agentOptions = {
      callTimeoutMs: options.callTimeoutMs ?? 5000,
      migrationTimeoutMs: options.migrationTimeoutMs ?? 600_000,
      retry: resolveRetry(options.retry),
    };
  }

  async connect(endpoint: AgentEndpoint): Promise<void> {
    const { host } = parseAgentAddress(endpoint.address);
    const expected = endpoint.serverName ?? host;
    const session = new Http2SessionManager(
      `https://${endpoint.address}`,
      {
        pingIntervalMs: this.options.pingIntervalMs ?? 15_000,
        pingTimeoutMs: this.agentOptions.callTimeoutMs,
      },
      {
        ca: this.options.tls.ca,
        cert: this.options.tls.cert,
        key: this.options.tls.key,
        ...(isIP(expected) ? {} : { servername: expected }),
        // The certificate must name the node we meant to reach, whatever address it answers on.
        checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(expected, cert),
      },
    );
    const transport = createGrpcTransport({
      baseUrl: `https://${endpoint.address}`,
      sessionManager: session,
    });
    await this.replace(endpoint, transport, session);
  }

  /**
   * connectTransport registers a node reached through a ready-made Connect transport, such as the
   * in-process transport of a simulated agent; it gets the same deadlines, retries and breaker.
   */
  async connectTransport(endpoint: AgentEndpoint, transport: Transport): Promise<void> {
    await this.replace(endpoint, transport);
  }

  private async replace(
    endpoint: AgentEndpoint,
    transport: Transport,
    session?: Http2SessionManager,
  ): Promise<void> {
    await this.disconnect(endpoint.nodeId);
    const breaker = new CircuitBreaker(`agent of node ${endpoint.nodeId}`, this.options.breaker);
    const agent = new RemoteAgent(endpoint.nodeId, transport, breaker, this.agentOptions);
    this.connections.set(
      endpoint.nodeId,
      session ? { endpoint, agent, breaker, session } : { endpoint, agent, breaker },
    );
  }

  agent(nodeId: string): HypervisorAgent {
    const connection = this.connections.get(nodeId);
    if (!connection) throw notFound("AgentConnection", nodeId);
    return connection.agent;
  }

  has(nodeId: string): boolean {
    return this.connections.has(nodeId);
  }

  /** circuitState tells whether calls to a node's agent are flowing (CLOSED), refused (OPEN) or probing (HALF_OPEN). */
  circuitState(nodeId: string): CircuitState {
    const connection = this.connections.get(nodeId);
    if (!connection) throw notFound("AgentConnection", nodeId);
    return connection.breaker.state;
  }

  async disconnect(nodeId: string): Promise<void> {
    const connection = this.connections.get(nodeId);
    if (!connection) return;
    this.connections.delete(nodeId);
    connection.session?.abort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.connections.keys()].map((id) => this.disconnect(id)));
  }
}

/** bindAgentPool binds the AgentPool port to a pool, so the server composes it with one line. */
export function bindAgentPool(binder: PortBinder, pool: AgentPool): void {
  binder.bind(AgentPool, pool);
}
