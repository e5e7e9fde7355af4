import { createSecureServer, type Http2SecureServer, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { createRouterTransport, type Transport } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { NodeAgentService } from "../gen/limiquantix/agent/v1/node_agent_service_pb";
import { createSimAgentService, type PeerConnector, type SimServiceOptions } from "./sim-agent-service";
import { SimFaults } from "./sim-faults";
import { SimHypervisor, type SimHypervisorOptions } from "./sim-hypervisor";

/** SimAgentTls is the agent's certificate (for serving and for calling peers) and the CA it trusts, all PEM. */
export interface SimAgentTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** SimAgentOptions describe a simulated agent: its host, its TLS material and where it listens. */
export interface SimAgentOptions extends SimHypervisorOptions, SimServiceOptions {
  readonly tls: SimAgentTls;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
}

/** PartitionMode says how a partition treats calls: hang them until healed, or drop connections outright. */
export type PartitionMode = "hang" | "drop";

/** SimAgent is a running simulated agent with its controls. */
export interface SimAgent {
  readonly nodeId: string;
  /** `host:port` the agent listens on. */
  readonly address: string;
  readonly port: number;
  readonly hypervisor: SimHypervisor;
  readonly faults: SimFaults;
  /** crash stops serving at once: the listener closes and every open connection is cut. */
  crash(): Promise<void>;
  /** restart serves again on the same port after a crash; the VMs are as they were. */
  restart(): Promise<void>;
  /** partition hangs every call (hang) or cuts every connection as it comes (drop) until heal(). */
  partition(mode?: PartitionMode): void;
  /** heal ends a partition. */
  heal(): void;
  /** stop shuts the agent down for good. */
  stop(): Promise<void>;
}

function tlsPeers(tls: SimAgentTls): PeerConnector {
  return (address, nodeId) => {
    const session = new Http2SessionManager(
      `https://${address}`,
      {},
      {
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(nodeId, cert),
      },
    );
    const transport = createGrpcTransport({ baseUrl: `https://${address}`, sessionManager: session });
    return { transport, close: () => session.abort() };
  };
}

/**
 * startSimAgent starts a simulated agent: a real NodeAgentService over HTTP/2 with mutual TLS
 * (clients must present a certificate of the agent's CA). It resolves once listening.
 */
export async function startSimAgent(options: SimAgentOptions): Promise<SimAgent> {
  const hypervisor = new SimHypervisor(options);
  const faults = new SimFaults();
  const service = createSimAgentService(hypervisor, faults, tlsPeers(options.tls), options);
  const handler = connectNodeAdapter({ routes: (router) => router.service(NodeAgentService, service) });
  const sessions = new Set<ServerHttp2Session>();
  let dropping = false;
  let server: Http2SecureServer | undefined;
  const host = options.host ?? "127.0.0.1";
  let port = options.port ?? 0;

  const listen = async (): Promise<void> => {
    const s = createSecureServer(
      {
        ca: options.tls.ca,
        cert: options.tls.cert,
        key: options.tls.key,
        requestCert: true,
        rejectUnauthorized: true,
      },
      handler,
    );
    s.on("session", (session) => {
      if (dropping) return void session.destroy();
      sessions.add(session);
      session.on("close", () => sessions.delete(session));
    });
    // A refused handshake (wrong CA, no client certificate) is the client's problem, not a crash.
    s.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(port, host, () => {
        s.off("error", reject);
        resolve();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };

  const close = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const session of sessions) session.destroy();
    sessions.clear();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    nodeId: options.nodeId,
    get address() {
      return `${host}:${port}`;
    },
    get port() {
      return port;
    },
    hypervisor,
    faults,
    crash: close,
    restart: async () => {
      if (!server) await listen();
    },
    partition(mode: PartitionMode = "hang") {
      if (mode === "hang") return faults.partition();
      dropping = true;
      for (const session of sessions) session.destroy();
    },
    heal() {
      dropping = false;
      faults.heal();
    },
    stop: async () => {
      faults.heal();
      await close();
      hypervisor.close();
    },
  };
}

/** InProcessSimAgent is a simulated agent without a network: its state, faults and a Connect transport to it. */
export interface InProcessSimAgent {
  readonly nodeId: string;
  /** The address other in-process agents migrate to: `inproc:<nodeId>`. */
  readonly address: string;
  readonly hypervisor: SimHypervisor;
  readonly faults: SimFaults;
  readonly transport: Transport;
  stop(): void;
}

const inProcess = new Map<string, Transport>();

const inProcessPeers: PeerConnector = (address) => {
  const transport = inProcess.get(address);
  if (!transport)
    return {
      transport: createRouterTransport(() => {
        throw new Error(`no in-process agent listens at ${address}`);
      }),
      close: () => undefined,
    };
  return { transport, close: () => undefined };
};

/**
 * createInProcessSimAgent builds a simulated agent served through an in-memory Connect transport,
 * for unit tests that need no sockets or certificates; it migrates to other in-process agents.
 */
export function createInProcessSimAgent(
  options: SimHypervisorOptions & SimServiceOptions,
): InProcessSimAgent {
  const hypervisor = new SimHypervisor(options);
  const faults = new SimFaults();
  const service = createSimAgentService(hypervisor, faults, inProcessPeers, options);
  const transport = createRouterTransport((router) => router.service(NodeAgentService, service));
  const address = `inproc:${options.nodeId}`;
  inProcess.set(address, transport);
  return {
    nodeId: options.nodeId,
    address,
    hypervisor,
    faults,
    transport,
    stop() {
      inProcess.delete(address);
      faults.heal();
      hypervisor.close();
    },
  };
}
