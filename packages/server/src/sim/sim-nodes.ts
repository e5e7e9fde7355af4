import { create } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AGENT_VERSION, type SimAgent, startSimAgent } from "@limiquantix/agent-client/sim";
import type { TestPki } from "@limiquantix/agent-client/testing";
import { compute } from "@limiquantix/api";
import { powerStateCodec } from "../compute/convert/vm-enums";
import { SimNodeCredentials } from "./sim-node-credentials";
import type { Logger } from "pino";

/** SimNodesOptions describe the simulated hypervisor nodes started beside the server. */
export interface SimNodesOptions {
  readonly count: number;
  readonly bootDelayMs: number;
  readonly heartbeatIntervalMs: number;
  /** Overcommit the simulated hypervisors allow, matching the scheduler's. */
  readonly overcommit: { readonly cpu: number; readonly memory: number };
  readonly pki: TestPki;
  /** The control plane's own address, where the simulated agents join and send heartbeats. */
  readonly apiBaseUrl: string;
  /** The join token (`<id>.<secret>`) the simulated agents join with; it must admit `count` nodes. */
  readonly joinToken: string;
  readonly logger: Logger;
}

/** SimNodes are running simulated nodes and their heartbeat loops. */
export interface SimNodes {
  readonly agents: readonly SimAgent[];
  /** nodeIds maps each simulated agent's hostname to the node id the control plane gave it. */
  readonly nodeIds: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

const ZONES = ["zone-a", "zone-b", "zone-c"];
const TOPOLOGY = { sockets: 2, coresPerSocket: 8, threadsPerCore: 2 };
const MEMORY_MIB = 65_536;

/**
 * startSimNodes starts simulated agents over mutual TLS on loopback and makes each behave like
 * a real agent, over the public API: it joins with the join token (NodeJoinService/JoinNode),
 * which registers its node and gives it credentials of its own, sends heartbeats with its usage
 * (NodeService/Heartbeat) under those credentials, and refreshes them before they expire.
 */
export async function startSimNodes(options: SimNodesOptions): Promise<SimNodes> {
  const transport = createConnectTransport({ baseUrl: options.apiBaseUrl, httpVersion: "1.1" });
  const client: Client<typeof compute.NodeService> = createClient(compute.NodeService, transport);
  const joins: Client<typeof compute.NodeJoinService> = createClient(compute.NodeJoinService, transport);
  const agents: SimAgent[] = [];
  const nodeIds = new Map<string, string>();
  const timers: NodeJS.Timeout[] = [];
  try {
    for (let i = 1; i <= options.count; i++) {
      const hostname = `sim-${i}`;
      const cert = options.pki.nodeCertificate(hostname);
      const agent = await startSimAgent({
        nodeId: hostname,
        hostname,
        managementIp: "127.0.0.1",
        cpu: TOPOLOGY,
        memoryMib: MEMORY_MIB,
        bootDelayMs: options.bootDelayMs,
        overcommit: options.overcommit,
        host: "127.0.0.1",
        port: 0,
        tls: { ca: options.pki.ca.cert, cert: cert.cert, key: cert.key },
      });
      agents.push(agent);
      const res = await joins.joinNode(
        create(compute.JoinNodeRequestSchema, {
          joinToken: options.joinToken,
          name: hostname,
          labels: { "limiquantix.io/simulated": "true", zone: ZONES[(i - 1) % ZONES.length]! },
          spec: {
            hostname,
            managementIp: "127.0.0.1",
            agentAddress: agent.address,
            cpu: TOPOLOGY,
            memoryMib: BigInt(MEMORY_MIB),
          },
        }),
      );
      const nodeId = res.node?.id;
      if (!nodeId) throw new Error(`joining ${hostname} returned no node`);
      nodeIds.set(hostname, nodeId);
      const credentials = new SimNodeCredentials(joins, res);
      const beat = async () => {
        const m = agent.hypervisor.metrics();
        await client.heartbeat(
          {
            nodeId,
            agentVersion: AGENT_VERSION,
            usage: { cpuPercent: m.cpuPercent, memoryUsedMib: BigInt(m.memoryUsedMib) },
            // Every VM the agent holds, so the control plane sees what runs and what is gone.
            vms: agent.hypervisor.list().map((v) => ({
              vmId: v.vmId,
              powerState: powerStateCodec.toProto(v.powerState),
              ipAddresses: [...v.ipAddresses],
            })),
          },
          { headers: { authorization: `Bearer ${await credentials.token()}` } },
        );
      };
      const timer = setInterval(() => {
        beat().catch((e: unknown) =>
          options.logger.warn({ err: e, node: hostname }, "simulated heartbeat failed"),
        );
      }, options.heartbeatIntervalMs);
      timer.unref();
      timers.push(timer);
      options.logger.info({ node: hostname, nodeId, agent: agent.address }, "simulated node joined");
    }
  } catch (e) {
    for (const t of timers) clearInterval(t);
    await Promise.allSettled(agents.map((a) => a.stop()));
    throw e;
  }
  return {
    agents,
    nodeIds,
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled(agents.map((a) => a.stop()));
    },
  };
}
