import { create } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import {
  type Client,
  type HandlerContext,
  type ServiceImpl,
  type Transport,
  createClient,
} from "@connectrpc/connect";
import type { AgentEvent } from "@limiquantix/domain";
import { invalidArgument } from "@limiquantix/domain";
import {
  MigrationPhase,
  NodeInfoSchema,
  PowerState,
  type VmStatus,
  VmStatusSchema,
} from "../gen/limiquantix/agent/v1/agent_pb";
import {
  type MigrateVMResponse,
  MigrateVMResponseSchema,
  NodeAgentService,
  type StreamEventsResponse,
  StreamEventsResponseSchema,
} from "../gen/limiquantix/agent/v1/node_agent_service_pb";
import {
  definitionFromProto,
  definitionToProto,
  diskFromProto,
  diskToProto,
  powerStateFromProto,
  powerStateToProto,
} from "../client/agent-codec";
import { agentErrorToDomain, domainErrorToConnect } from "../client/error-mapping";
import { sleep } from "../client/retry-policy";
import { checks } from "./request-checks";
import type { SimFaults } from "./sim-faults";
import type { SimHypervisor } from "./sim-hypervisor";
import type { AgentVmStatus } from "@limiquantix/domain";

/** PeerConnector opens a transport to another agent, for the source side of a migration. */
export type PeerConnector = (address: string, nodeId: string) => { transport: Transport; close(): void };

/** SimServiceOptions tune the simulated agent's service. */
export interface SimServiceOptions {
  /** Time between the progress steps of a migration (default 20 ms). */
  readonly migrationStepMs?: number;
  /** Default interval of node metrics in StreamEvents (default 1000 ms). */
  readonly metricsIntervalMs?: number;
}

function status(s: AgentVmStatus): VmStatus {
  return create(VmStatusSchema, {
    vmId: s.vmId,
    powerState: powerStateToProto(s.powerState),
    ipAddresses: [...s.ipAddresses],
    ...(s.cpuPercent !== undefined ? { cpuPercent: s.cpuPercent } : {}),
    ...(s.memoryUsedMib !== undefined ? { memoryUsedMib: BigInt(s.memoryUsedMib) } : {}),
    ...(s.diskUsedGib !== undefined ? { diskUsedGib: s.diskUsedGib } : {}),
    ...(s.diskCapacityGib !== undefined ? { diskCapacityGib: s.diskCapacityGib } : {}),
  });
}

/** switchedOver asks a migration's target whether the VM now runs there (switched on, no longer arriving). */
async function switchedOver(target: Client<typeof NodeAgentService>, vmId: string): Promise<boolean> {
  try {
    const { status } = await target.getVMStatus({ vmId }, { timeoutMs: 2_000 });
    return status !== undefined && status.powerState !== PowerState.MIGRATING;
  } catch {
    return false;
  }
}

function progress(vmId: string, percent: number, phase: MigrationPhase, message: string): MigrateVMResponse {
  return create(MigrateVMResponseSchema, { vmId, percent, phase, message });
}

function toEvent(e: AgentEvent): StreamEventsResponse {
  const time = timestampNow();
  if (e.type === "vm-state")
    return create(StreamEventsResponseSchema, {
      time,
      event: {
        case: "vmState",
        value: { vmId: e.vmId, powerState: powerStateToProto(e.powerState), message: e.message ?? "" },
      },
    });
  return create(StreamEventsResponseSchema, {
    time,
    event: {
      case: "nodeMetrics",
      value: { cpuPercent: e.cpuPercent, memoryUsedMib: BigInt(e.memoryUsedMib), vmCount: e.vmCount },
    },
  });
}

/**
 * createSimAgentService implements NodeAgentService over a SimHypervisor. Every request is
 * validated first (bad input gets InvalidArgument naming the field), every failure leaves as a
 * Connect error with the matching code, and faults are applied before any work is done.
 */
export function createSimAgentService(
  hv: SimHypervisor,
  faults: SimFaults,
  peers: PeerConnector,
  options: SimServiceOptions = {},
): ServiceImpl<typeof NodeAgentService> {
  const nodeId = hv.options.nodeId;
  const guard = async <T>(method: string, ctx: HandlerContext, run: () => T | Promise<T>): Promise<T> => {
    await faults.before(method, ctx.signal);
    try {
      return await run();
    } catch (error) {
      throw domainErrorToConnect(error);
    }
  };
  // The calls that take a VM id and answer with its status share one shape.
  const onVm =
    (method: string, run: (id: string) => AgentVmStatus) => (req: { vmId: string }, ctx: HandlerContext) =>
      guard(method, ctx, () => {
        checks().id("vmId", req.vmId).done(`${method} request`);
        return { status: status(run(req.vmId)) };
      });

  return {
    getNodeInfo: (_req, ctx) =>
      guard("GetNodeInfo", ctx, () => {
        const i = hv.info();
        return {
          info: create(NodeInfoSchema, {
            nodeId: i.nodeId,
            hostname: i.hostname,
            managementIp: i.managementIp,
            sockets: i.cpu.sockets,
            coresPerSocket: i.cpu.coresPerSocket,
            threadsPerCore: i.cpu.threadsPerCore,
            memoryMib: BigInt(i.memoryMib),
            agentVersion: i.agentVersion,
            hypervisor: i.hypervisor,
          }),
        };
      }),
    healthCheck: (_req, ctx) =>
      guard("HealthCheck", ctx, () => ({ healthy: true, message: `node ${nodeId} serving` })),
    createVM: (req, ctx) =>
      guard("CreateVM", ctx, () => {
        checks().definition("definition", req.definition).done("CreateVM request");
        return {
          status: status(
            hv.create(definitionFromProto(req.definition as NonNullable<typeof req.definition>)),
          ),
        };
      }),
    startVM: onVm("StartVM", (id) => hv.start(id)),
    stopVM: (req, ctx) =>
      guard("StopVM", ctx, () => {
        checks().id("vmId", req.vmId).range("timeoutSec", req.timeoutSec, 0, 3600).done("StopVM request");
        return { status: status(hv.stop(req.vmId, req.force, req.timeoutSec)) };
      }),
    rebootVM: onVm("RebootVM", (id) => hv.reboot(id)),
    pauseVM: onVm("PauseVM", (id) => hv.pause(id)),
    resumeVM: onVm("ResumeVM", (id) => hv.resume(id)),
    suspendVM: onVm("SuspendVM", (id) => hv.suspend(id)),
    deleteVM: (req, ctx) =>
      guard("DeleteVM", ctx, () => {
        checks().id("vmId", req.vmId).done("DeleteVM request");
        hv.delete(req.vmId);
        return {};
      }),
    getVMStatus: onVm("GetVMStatus", (id) => hv.status(id)),
    listVMs: (_req, ctx) => guard("ListVMs", ctx, () => ({ vms: hv.list().map(status) })),
    createSnapshot: (req, ctx) =>
      guard("CreateSnapshot", ctx, () => {
        checks()
          .id("vmId", req.vmId)
          .id("snapshotId", req.snapshotId)
          .text("name", req.name, 63)
          .done("CreateSnapshot request");
        hv.createSnapshot(req.vmId, req.snapshotId, req.name, req.includeMemory);
        return {};
      }),
    revertSnapshot: (req, ctx) =>
      guard("RevertSnapshot", ctx, () => {
        checks().id("vmId", req.vmId).id("snapshotId", req.snapshotId).done("RevertSnapshot request");
        return { status: status(hv.revertSnapshot(req.vmId, req.snapshotId)) };
      }),
    deleteSnapshot: (req, ctx) =>
      guard("DeleteSnapshot", ctx, () => {
        checks().id("vmId", req.vmId).id("snapshotId", req.snapshotId).done("DeleteSnapshot request");
        hv.deleteSnapshot(req.vmId, req.snapshotId);
        return {};
      }),
    attachDisk: (req, ctx) =>
      guard("AttachDisk", ctx, () => {
        const c = checks().id("vmId", req.vmId);
        if (!req.disk) c.add("disk", "is required");
        else c.disk("disk", req.disk.name, req.disk.volumeId, req.disk.bus, req.disk.sizeGib);
        c.done("AttachDisk request");
        return {
          status: status(hv.attachDisk(req.vmId, diskFromProto(req.disk as NonNullable<typeof req.disk>))),
        };
      }),
    detachDisk: (req, ctx) =>
      guard("DetachDisk", ctx, () => {
        checks().id("vmId", req.vmId).name("diskName", req.diskName).done("DetachDisk request");
        return { status: status(hv.detachDisk(req.vmId, req.diskName)) };
      }),
    prepareMigration: (req, ctx) =>
      guard("PrepareMigration", ctx, () => {
        checks()
          .definition("definition", req.definition)
          .id("sourceNodeId", req.sourceNodeId)
          .done("PrepareMigration request");
        const def = definitionFromProto(req.definition as NonNullable<typeof req.definition>);
        const snapshots = req.snapshots.map((snap) => ({
          id: snap.id,
          name: snap.name,
          state: powerStateFromProto(snap.powerState),
          disks: snap.disks.map(diskFromProto),
        }));
        return { migrationId: hv.prepareIncoming(def, powerStateFromProto(req.powerState), snapshots) };
      }),
    completeMigration: (req, ctx) =>
      guard("CompleteMigration", ctx, () => {
        checks().text("migrationId", req.migrationId, 128).done("CompleteMigration request");
        return { status: status(hv.completeIncoming(req.migrationId, req.success)) };
      }),
    async *migrateVM(req, ctx) {
      const started = await guard("MigrateVM", ctx, () => {
        checks()
          .id("vmId", req.vmId)
          .id("targetNodeId", req.targetNodeId)
          .text("targetAddress", req.targetAddress, 260)
          .done("MigrateVM request");
        if (req.targetNodeId === nodeId)
          throw invalidArgument([
            { field: "targetNodeId", description: `must name another node (got this node, ${nodeId})` },
          ]);
        return hv.beginOutgoing(req.vmId, req.live);
      });
      const step = options.migrationStepMs ?? 20;
      const peer = peers(req.targetAddress, req.targetNodeId);
      const target = createClient(NodeAgentService, peer.transport);
      let migrationId = "";
      let switching = false;
      try {
        yield progress(req.vmId, 0, MigrationPhase.PREPARING, `reserving room on node ${req.targetNodeId}`);
        const prepared = await target.prepareMigration(
          {
            definition: definitionToProto(started.definition),
            sourceNodeId: nodeId,
            powerState: powerStateToProto(started.resumeState),
            snapshots: started.snapshots.map((snap) => ({
              id: snap.id,
              name: snap.name,
              powerState: powerStateToProto(snap.state),
              disks: snap.disks.map(diskToProto),
            })),
          },
          { timeoutMs: 10_000, signal: ctx.signal },
        );
        migrationId = prepared.migrationId;
        for (const percent of [25, 50, 75]) {
          await sleep(step, ctx.signal);
          yield progress(req.vmId, percent, MigrationPhase.TRANSFERRING, "copying memory");
        }
        yield progress(req.vmId, 90, MigrationPhase.SWITCHING, `switching over to node ${req.targetNodeId}`);
        // The switch-over is the migration's point of no return: once asked, it is not cancelled
        // with the caller (a caller going away in the middle left the VM running on both nodes).
        switching = true;
        await target.completeMigration({ migrationId, success: true }, { timeoutMs: 10_000 });
        hv.finishOutgoing(req.vmId, true, started.resumeState);
        yield progress(req.vmId, 100, MigrationPhase.COMPLETED, `running on node ${req.targetNodeId}`);
      } catch (error) {
        // A switch-over that failed on the way back may still have happened: the target decides.
        if (switching && (await switchedOver(target, req.vmId))) {
          hv.finishOutgoing(req.vmId, true, started.resumeState);
          yield progress(req.vmId, 100, MigrationPhase.COMPLETED, `running on node ${req.targetNodeId}`);
          return;
        }
        if (migrationId !== "")
          await target
            .completeMigration({ migrationId, success: false }, { timeoutMs: 2_000 })
            .catch(() => undefined);
        hv.finishOutgoing(req.vmId, false, started.resumeState);
        throw domainErrorToConnect(agentErrorToDomain(error, req.targetNodeId, "MigrateVM"));
      } finally {
        peer.close();
      }
    },
    async *streamEvents(req, ctx) {
      await guard("StreamEvents", ctx, () => undefined);
      const queue: AgentEvent[] = [];
      let wake: (() => void) | undefined;
      const push = (e: AgentEvent): void => {
        queue.push(e);
        wake?.();
      };
      const sample = (): void =>
        push({ type: "node-metrics", at: new Date().toISOString(), ...hv.metrics() });
      const off = hv.onEvent(push);
      const onAbort = (): void => wake?.();
      ctx.signal.addEventListener("abort", onAbort, { once: true });
      const interval =
        req.metricsIntervalMs > 0 ? req.metricsIntervalMs : (options.metricsIntervalMs ?? 1000);
      const timer = setInterval(sample, interval);
      sample();
      try {
        while (!ctx.signal.aborted) {
          const next = queue.shift();
          if (next) {
            yield toEvent(next);
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      } finally {
        clearInterval(timer);
        ctx.signal.removeEventListener("abort", onAbort);
        off();
      }
    },
  };
}
