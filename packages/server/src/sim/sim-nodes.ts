import { create } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { AGENT_VERSION, type SimAgent, startSimAgent } from "@limiquantix/agent-client/sim";
import type { TestPki } from "@limiquantix/agent-client/testing";
import { compute } from "@limiquantix/api";
import { powerStateCodec } from "../compute/convert/vm-enums";
import { SimNodeCredentials } from "./sim-node-credentials";
import type { SimNodeControls } from "./sim-lab";
import { simNodeKey } from "./sim-node-key";
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
  /**
   * apiTls, when the API listens with TLS: the CA certificates (PEM) the simulated agents trust
   * for it, and whether they join with a certificate request and then call with the node
   * certificate (as nodes must when the server issues them) rather than a bearer token.
   */
  readonly apiTls?: { readonly ca: readonly string[]; readonly nodeCertificates: boolean };
  readonly logger: Logger;
}

/** SimNodes are running simulated nodes and their heartbeat loops. */
export interface SimNodes {
  readonly agents: readonly SimAgent[];
  /** nodeIds maps each simulated agent's hostname to the node id the control plane gave it. */
  readonly nodeIds: ReadonlyMap<string, string>;
  /** controls returns the out-of-band switches of a simulated node, by hostname (`sim-1` …). */
  controls(hostname: string): SimNodeControls;
  stop(): Promise<void>;
}

const ZONES = ["zone-a", "zone-b", "zone-c"];
const TOPOLOGY = { sockets: 2, coresPerSocket: 8, threadsPerCore: 2 };
const MEMORY_MIB = 65_536;

/**
 * startSimNodes starts simulated agents over mutual TLS on loopback and makes each behave like
 * a real agent, over the public API: it joins with the join token (NodeJoinService/JoinNode),
 * which registers its node and gives it credentials of its own, sends heartbeats with its usage
 * (NodeService/Heartbeat) under those credentials, and refreshes them before they expire. Over
 * TLS, when the server issues node certificates, each joins with a certificate request and sends
 * its heartbeats with its certificate instead of a bearer token.
 */
export async function startSimNodes(options: SimNodesOptions): Promise<SimNodes> {
  const trust = options.apiTls ? { ca: [...options.apiTls.ca] } : {};
  const transportWith = (identity: { cert?: string; key?: string } = {}) =>
    createConnectTransport({
      baseUrl: options.apiBaseUrl,
      httpVersion: "1.1",
      ...(options.apiTls ? { nodeOptions: { ...trust, ...identity } } : {}),
    });
  const transport = transportWith();
  const joins: Client<typeof compute.NodeJoinService> = createClient(compute.NodeJoinService, transport);
  const agents: SimAgent[] = [];
  const nodeIds = new Map<string, string>();
  const timers: NodeJS.Timeout[] = [];
  const controls = new Map<string, SimNodeControls>();
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
      const key = options.apiTls?.nodeCertificates ? await simNodeKey(hostname) : undefined;
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
          csrPem: key?.csrPem ?? "",
        }),
      );
      const nodeId = res.node?.id;
      if (!nodeId) throw new Error(`joining ${hostname} returned no node`);
      if (key && !res.certificatePem) throw new Error(`joining ${hostname} returned no certificate`);
      nodeIds.set(hostname, nodeId);
      const credentials = new SimNodeCredentials(joins, res);
      const client: Client<typeof compute.NodeService> = createClient(
        compute.NodeService,
        key ? transportWith({ cert: res.certificatePem, key: key.keyPem }) : transport,
      );
      const beat = async () => {
        const m = agent.hypervisor.metrics();
        // The certificate is tied to the node's session: refreshing keeps that alive too.
        const token = await credentials.token();
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
          key ? {} : { headers: { authorization: `Bearer ${token}` } },
        );
      };
      const power = { on: true, serving: true, beating: true };
      controls.set(hostname, {
        async killAgent() {
          power.beating = false;
          power.serving = false;
          await agent.crash();
        },
        async isolate() {
          power.beating = false;
          agent.partition("drop");
        },
        async powerOff() {
          power.on = false;
          power.beating = false;
          power.serving = false;
          agent.hypervisor.powerOff();
          await agent.crash();
        },
        async recover() {
          agent.heal();
          await agent.restart();
          power.on = true;
          power.serving = true;
          power.beating = true;
        },
        setVmLoad(vmId, load) {
          if (!agent.hypervisor.list().some((v) => v.vmId === vmId)) return false;
          agent.hypervisor.setVmLoad(vmId, load);
          return true;
        },
        state: () => ({
          poweredOn: power.on,
          agentServing: power.serving,
          heartbeats: power.beating,
          runningVms: agent.hypervisor.list().filter((v) => v.powerState === "RUNNING").length,
        }),
      });
      const timer = setInterval(() => {
        if (!power.beating) return;
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
    controls(hostname) {
      const c = controls.get(hostname);
      if (!c) throw new Error(`no simulated node ${hostname}`);
      return c;
    },
    async stop() {
      for (const t of timers) clearInterval(t);
      await Promise.allSettled(agents.map((a) => a.stop()));
    },
  };
}
