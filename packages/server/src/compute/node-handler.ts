import { compute } from "@limiquantix/api";
import {
  optionalString,
  optionalVersion,
  pageRequestOf,
  pageResponseOf,
  toTimestamp,
} from "../rpc/convert/common";
import { labelSelectorOf, requireMessage, toNumber } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { nodeToProto } from "./convert/node";
import { nodePhaseCodec, taintEffectCodec } from "./convert/node-enums";
import { nodeSettingsOf, registrationFromProto, taintFromProto } from "./convert/node-settings";
import { powerStateCodec } from "./convert/vm-enums";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import type { DrainService } from "./drain-service";
import type { NodeAgentService } from "./node-agent-service";
import type { NodeService } from "./node-service";
import { openStream } from "../shared/async-stream";

/** nodeWire converts each object once, however many watchers or readers it goes to. */
const nodeWire = convertedOnce(nodeToProto);

/** NodeHandlerServices are the services NodeService calls reach. */
export interface NodeHandlerServices {
  readonly nodes: NodeService;
  readonly agents: NodeAgentService;
  readonly drain: DrainService;
  readonly watch: WatchService;
}

/** NodeHandlerOptions tune what NodeService tells agents. */
export interface NodeHandlerOptions {
  /** How often agents are asked to send heartbeats. */
  readonly heartbeatIntervalSec: number;
}

/** nodeHandler answers NodeService calls: agents' registration and heartbeats, and operators' node operations. */
export function nodeHandler(
  { nodes, agents, drain, watch }: NodeHandlerServices,
  options: NodeHandlerOptions,
): RpcRoute {
  const node = (n: Parameters<typeof nodeToProto>[0]) => ({ node: nodeWire(n) });
  return route(compute.NodeService, {
    async registerNode(ctx, req) {
      const { registration, settings } = registrationFromProto(req);
      return node(await agents.register(ctx, registration, settings));
    },
    async getNode(ctx, req) {
      return node(await nodes.get(ctx, req.id));
    },
    async listNodes(ctx, req) {
      const states = req.states.map((st, i) => nodePhaseCodec.required(st, `states[${i}]`));
      const page = await nodes.list(
        ctx,
        {
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        },
        pageRequestOf(req),
      );
      return { nodes: page.items.map(nodeWire), ...pageResponseOf(page) };
    },
    async updateNode(ctx, req) {
      const settings = nodeSettingsOf(req, await nodes.get(ctx, req.id));
      return node(await nodes.update(ctx, req.id, settings, optionalVersion(req.resourceVersion)));
    },
    async deleteNode(ctx, req) {
      await nodes.delete(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
    async heartbeat(ctx, req) {
      const vms = req.vms.map((o, i) => {
        const powerState = powerStateCodec.fromProto(o.powerState, `vms[${i}].power_state`);
        return { vmId: o.vmId, ipAddresses: [...o.ipAddresses], ...(powerState ? { powerState } : {}) };
      });
      const beat = await agents.heartbeat(ctx, req.nodeId, {
        vms,
        ...(req.usage
          ? { usage: { cpuPercent: req.usage.cpuPercent, memoryUsedMib: toNumber(req.usage.memoryUsedMib) } }
          : {}),
        ...(optionalString(req.agentVersion) ? { agentVersion: req.agentVersion } : {}),
      });
      return {
        heartbeatIntervalSec: options.heartbeatIntervalSec,
        phase: nodePhaseCodec.toProto(beat.status.phase),
      };
    },
    async decommissionNode(ctx, req) {
      // force does not abandon placed VMs: a node that still holds some is refused either way, naming them.
      return node(await nodes.decommission(ctx, req.id));
    },
    async confirmNodeFenced(ctx, req) {
      return node(await nodes.confirmFenced(ctx, req.id, req.comment));
    },
    async cordonNode(ctx, req) {
      return node(await nodes.cordon(ctx, req.id, true));
    },
    async uncordonNode(ctx, req) {
      return node(await nodes.cordon(ctx, req.id, false));
    },
    async drainNode(ctx, req) {
      const result = await drain.drain(ctx, req.id, { force: req.force });
      return {
        node: nodeToProto(result.node),
        migratedVmIds: result.plan.filter((p) => p.targetNodeId !== undefined).map((p) => p.vmId),
        stoppedVmIds: [...result.stoppedVmIds],
      };
    },
    async addTaint(ctx, req) {
      return node(
        await nodes.addTaint(ctx, req.nodeId, taintFromProto(requireMessage(req.taint, "taint"), "taint")),
      );
    },
    async removeTaint(ctx, req) {
      return node(
        await nodes.removeTaint(ctx, req.nodeId, req.key, taintEffectCodec.fromProto(req.effect, "effect")),
      );
    },
    async getNodeMetrics(ctx, req) {
      const m = await nodes.metrics(ctx, req.nodeId);
      return {
        metrics: {
          nodeId: m.nodeId,
          cpuPercent: m.cpuPercent,
          memoryUsedMib: BigInt(m.memoryUsedMib),
          memoryTotalMib: BigInt(m.memoryTotalMib),
          vmCount: m.vmCount,
          sampleTime: toTimestamp(m.sampledAt),
        },
      };
    },
    watchNode(ctx, req) {
      // The service's stream opens on the first read, so nothing here needs deferring.
      return watchMessages(
        watch.nodes(ctx, { id: req.id }, fromRevisionOf(req.resourceVersion)),
        "node",
        nodeWire,
        compute.WatchNodeResponseSchema,
      );
    },
    watchNodes(ctx, req) {
      return openStream(async () => {
        const phases = req.phases.map((p, i) => nodePhaseCodec.required(p, `phases[${i}]`));
        const filter = {
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(phases.length > 0 ? { phases } : {}),
          ...labelSelectorOf(req.labelSelector),
        };
        return watchMessages(
          watch.nodes(ctx, filter, fromRevisionOf(req.resourceVersion)),
          "node",
          nodeWire,
          compute.WatchNodesResponseSchema,
        );
      });
    },
  });
}
