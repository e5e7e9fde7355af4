import type { ServiceImpl } from "@connectrpc/connect";
import type { compute } from "@limiquantix/api";
import { failedPrecondition } from "@limiquantix/domain";
import type { Services } from "../composition/services";
import { DrainService } from "./drain-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf, toTimestamp } from "../rpc/convert/common";
import { nodeToProto } from "./convert/node";
import { nodePhaseCodec, taintEffectCodec } from "./convert/node-enums";
import { nodeSettingsOf, registrationFromProto, taintFromProto } from "./convert/node-settings";
import { labelSelectorOf, requireMessage, toNumber } from "../rpc/convert/request-fields";
import { powerStateCodec } from "./convert/vm-enums";

/** NodeHandler is NodeService less its watch streams, which arrive with the event streaming work. */
export type NodeHandler = Omit<ServiceImpl<typeof compute.NodeService>, "watchNode" | "watchNodes">;

/** NodeHandlerOptions tune what NodeService tells agents. */
export interface NodeHandlerOptions {
  /** How often agents are asked to send heartbeats. */
  readonly heartbeatIntervalSec: number;
}

/** createNodeHandler implements NodeService over the node, node-admin, drain and power services. */
export function createNodeHandler(s: Services, options: NodeHandlerOptions): NodeHandler {
  const node = (n: Parameters<typeof nodeToProto>[0]) => ({ node: nodeToProto(n) });
  return {
    async registerNode(req) {
      const { registration, settings } = registrationFromProto(req);
      const registered = await s.nodes.register(registration);
      return node(Object.keys(settings).length > 0 ? await s.nodeAdmin.update(registered.id, settings) : registered);
    },
    async getNode(req) {
      return node(await s.nodes.get(req.id));
    },
    async listNodes(req) {
      const states = req.states.map((st, i) => nodePhaseCodec.required(st, `states[${i}]`));
      const page = await s.nodes.list(
        {
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        },
        pageRequestOf(req),
      );
      return { nodes: page.items.map(nodeToProto), ...pageResponseOf(page) };
    },
    async updateNode(req) {
      const settings = nodeSettingsOf(req, await s.nodes.get(req.id));
      return node(await s.nodeAdmin.update(req.id, settings, optionalVersion(req.resourceVersion)));
    },
    async deleteNode(req) {
      await s.nodeAdmin.delete(req.id, optionalVersion(req.resourceVersion));
      return {};
    },
    async heartbeat(req) {
      const observations = req.vms.map((o, i) => {
        const powerState = powerStateCodec.fromProto(o.powerState, `vms[${i}].power_state`);
        return { vmId: o.vmId, ipAddresses: [...o.ipAddresses], ...(powerState ? { powerState } : {}) };
      });
      const beat = await s.nodes.heartbeat(req.nodeId, {
        ...(req.usage ? { usage: { cpuPercent: req.usage.cpuPercent, memoryUsedMib: toNumber(req.usage.memoryUsedMib) } } : {}),
        ...(optionalString(req.agentVersion) ? { agentVersion: req.agentVersion } : {}),
      });
      await s.nodeAdmin.recordObservations(req.nodeId, observations);
      return { heartbeatIntervalSec: options.heartbeatIntervalSec, phase: nodePhaseCodec.toProto(beat.status.phase) };
    },
    async decommissionNode(req) {
      // force does not abandon placed VMs: a node that still holds some is refused either way, naming them.
      return node(await s.nodes.decommission(req.id));
    },
    async cordonNode(req) {
      return node(await s.nodes.cordon(req.id, true));
    },
    async uncordonNode(req) {
      return node(await s.nodes.cordon(req.id, false));
    },
    async drainNode(req) {
      const result = await s.drain.drain(req.id);
      const stuck = DrainService.unmovable(result.plan);
      if (stuck.length > 0 && !req.force)
        throw failedPrecondition(
          `node stays cordoned, but ${stuck.length} VM(s) cannot move: ${stuck.map((p) => `${p.vmName} (${p.reason})`).join("; ")}; drain with force to stop them`,
          { resource: { kind: "Node", id: req.id, name: result.node.name }, unmovable: stuck.map((p) => p.vmId) },
        );
      for (const p of stuck) await s.power.stop(p.vmId, "force");
      return {
        node: nodeToProto(result.node),
        migratedVmIds: result.plan.filter((p) => p.targetNodeId !== undefined).map((p) => p.vmId),
        stoppedVmIds: stuck.map((p) => p.vmId),
      };
    },
    async addTaint(req) {
      return node(await s.nodes.addTaint(req.nodeId, taintFromProto(requireMessage(req.taint, "taint"), "taint")));
    },
    async removeTaint(req) {
      return node(await s.nodes.removeTaint(req.nodeId, req.key, taintEffectCodec.fromProto(req.effect, "effect")));
    },
    async getNodeMetrics(req) {
      const m = await s.nodeAdmin.metrics(req.nodeId);
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
  };
}
