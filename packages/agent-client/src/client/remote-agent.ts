import { type CallOptions, type Client, createClient, type Transport } from "@connectrpc/connect";
import {
  type AgentDisk,
  type AgentEvent,
  type AgentHealth,
  type AgentNodeInfo,
  type AgentVmDefinition,
  type AgentVmStatus,
  currentCallSignal,
  type DomainError,
  ErrorCode,
  hasErrorCode,
  type HypervisorAgent,
  internal,
  type MigrationProgress,
  type MigrationTarget,
  type StopOptions,
  type Subscription,
  unavailable,
} from "@limiquantix/domain";
import type { RetryPolicy } from "cockatiel";
import { NodeAgentService } from "../gen/limiquantix/agent/v1/node_agent_service_pb";
import {
  definitionToProto,
  diskToProto,
  eventFromProto,
  nodeInfoFromProto,
  progressFromProto,
  statusFromProto,
} from "./agent-codec";
import { type CircuitBreaker, isCallCancelled, isCircuitOpenError } from "./circuit-breaker";
import { agentErrorToDomain } from "./error-mapping";
import { type ResolvedRetry, retryPolicy } from "./retry-policy";

/** RemoteAgentOptions are the per-node call settings a pool hands to each agent. */
export interface RemoteAgentOptions {
  readonly callTimeoutMs: number;
  readonly migrationTimeoutMs: number;
  readonly retry: ResolvedRetry;
}

/**
 * RemoteAgent is the HypervisorAgent of one node, spoken over NodeAgentService. Every call goes
 * through the node's circuit breaker and carries a deadline; read-only calls are retried with
 * backoff when the agent is unreachable, calls that change state never are.
 */
export class RemoteAgent implements HypervisorAgent {
  private readonly client: Client<typeof NodeAgentService>;
  private readonly retry: RetryPolicy;

  constructor(
    readonly nodeId: string,
    transport: Transport,
    private readonly breaker: CircuitBreaker,
    private readonly options: RemoteAgentOptions,
  ) {
    this.client = createClient(NodeAgentService, transport);
    // Retry only an agent that could not be reached; an open breaker already answered for it.
    this.retry = retryPolicy(
      options.retry,
      (error) =>
        hasErrorCode(error, ErrorCode.Unavailable) && !isCircuitOpenError(error) && !isCallCancelled(error),
    );
  }

  private async call<T>(
    method: string,
    idempotent: boolean,
    run: (opts: CallOptions) => Promise<T>,
  ): Promise<T> {
    // The call being served, if any: when its client goes away, the agent call is cancelled too.
    const signal = currentCallSignal();
    const attempt = () =>
      this.breaker.execute(async () => {
        if (signal?.aborted) throw callCancelled(this.nodeId, method);
        try {
          return await run({ timeoutMs: this.options.callTimeoutMs, ...(signal ? { signal } : {}) });
        } catch (error) {
          // A cancelled call says nothing about the agent: it neither trips the breaker nor is retried.
          if (signal?.aborted) throw callCancelled(this.nodeId, method);
          throw agentErrorToDomain(error, this.nodeId, method);
        }
      });
    return idempotent ? this.retry.execute(attempt) : attempt();
  }

  async getNodeInfo(): Promise<AgentNodeInfo> {
    const res = await this.call("GetNodeInfo", true, (o) => this.client.getNodeInfo({}, o));
    return nodeInfoFromProto(res.info);
  }

  async healthCheck(): Promise<AgentHealth> {
    const res = await this.call("HealthCheck", true, (o) => this.client.healthCheck({}, o));
    return { healthy: res.healthy, message: res.message };
  }

  async createVm(definition: AgentVmDefinition): Promise<AgentVmStatus> {
    const def = definitionToProto(definition);
    const res = await this.call("CreateVM", false, (o) => this.client.createVM({ definition: def }, o));
    return statusFromProto(res.status, definition.vmId);
  }

  async startVm(vmId: string): Promise<AgentVmStatus> {
    const res = await this.call("StartVM", false, (o) => this.client.startVM({ vmId }, o));
    return statusFromProto(res.status, vmId);
  }

  async stopVm(vmId: string, options: StopOptions): Promise<AgentVmStatus> {
    const req = { vmId, force: options.mode === "force", timeoutSec: options.timeoutSec ?? 0 };
    const res = await this.call("StopVM", false, (o) => this.client.stopVM(req, o));
    return statusFromProto(res.status, vmId);
  }

  async rebootVm(vmId: string): Promise<AgentVmStatus> {
    const res = await this.call("RebootVM", false, (o) => this.client.rebootVM({ vmId }, o));
    return statusFromProto(res.status, vmId);
  }

  async pauseVm(vmId: string): Promise<AgentVmStatus> {
    const res = await this.call("PauseVM", false, (o) => this.client.pauseVM({ vmId }, o));
    return statusFromProto(res.status, vmId);
  }

  async resumeVm(vmId: string): Promise<AgentVmStatus> {
    const res = await this.call("ResumeVM", false, (o) => this.client.resumeVM({ vmId }, o));
    return statusFromProto(res.status, vmId);
  }

  async suspendVm(vmId: string): Promise<AgentVmStatus> {
    const res = await this.call("SuspendVM", false, (o) => this.client.suspendVM({ vmId }, o));
    return statusFromProto(res.status, vmId);
  }

  async deleteVm(vmId: string): Promise<void> {
    await this.call("DeleteVM", false, (o) => this.client.deleteVM({ vmId }, o));
  }

  async getVmStatus(vmId: string): Promise<AgentVmStatus> {
    const res = await this.call("GetVMStatus", true, (o) => this.client.getVMStatus({ vmId }, o));
    return statusFromProto(res.status, vmId);
  }

  async listVms(): Promise<readonly AgentVmStatus[]> {
    const res = await this.call("ListVMs", true, (o) => this.client.listVMs({}, o));
    return res.vms.map((s) => statusFromProto(s));
  }

  async createSnapshot(
    vmId: string,
    snapshot: { id: string; name: string; includeMemory: boolean },
  ): Promise<void> {
    const req = { vmId, snapshotId: snapshot.id, name: snapshot.name, includeMemory: snapshot.includeMemory };
    await this.call("CreateSnapshot", false, (o) => this.client.createSnapshot(req, o));
  }

  async revertSnapshot(vmId: string, snapshotId: string): Promise<AgentVmStatus> {
    const res = await this.call("RevertSnapshot", false, (o) =>
      this.client.revertSnapshot({ vmId, snapshotId }, o),
    );
    return statusFromProto(res.status, vmId);
  }

  async deleteSnapshot(vmId: string, snapshotId: string): Promise<void> {
    await this.call("DeleteSnapshot", false, (o) => this.client.deleteSnapshot({ vmId, snapshotId }, o));
  }

  async migrateVm(
    vmId: string,
    target: MigrationTarget,
    options: { live?: boolean; onProgress?: (p: MigrationProgress) => void; signal?: AbortSignal } = {},
  ): Promise<void> {
    const req = {
      vmId,
      // Agents know each other by the names on their certificates.
      targetNodeId: target.serverName ?? target.nodeId,
      targetAddress: target.address,
      live: options.live ?? true,
    };
    await this.call("MigrateVM", false, async (o) => {
      const call: CallOptions = { ...o, timeoutMs: this.options.migrationTimeoutMs };
      if (options.signal) call.signal = options.signal;
      let last: MigrationProgress | undefined;
      for await (const update of this.client.migrateVM(req, call)) {
        last = progressFromProto(update);
        options.onProgress?.(last);
      }
      if (last?.phase !== "COMPLETED")
        throw internal(
          `migration of VM ${vmId} to node ${target.nodeId} ended without completing (${last?.phase ?? "no progress"})`,
        );
    });
  }

  async attachDisk(vmId: string, disk: AgentDisk): Promise<void> {
    const req = { vmId, disk: diskToProto(disk) };
    await this.call("AttachDisk", false, (o) => this.client.attachDisk(req, o));
  }

  async detachDisk(vmId: string, diskName: string): Promise<void> {
    await this.call("DetachDisk", false, (o) => this.client.detachDisk({ vmId, diskName }, o));
  }

  async streamEvents(listener: (event: AgentEvent) => void): Promise<Subscription> {
    let controller = new AbortController();
    const deliver = (event: AgentEvent | undefined): void => {
      if (!event) return;
      try {
        listener(event);
      } catch {
        // A failing listener must not end the stream for everyone else.
      }
    };
    // The agent sends a metrics sample at once, so the subscription is live when this resolves.
    const stream = await this.call("StreamEvents", true, async () => {
      controller = new AbortController();
      const iterator = this.client.streamEvents({}, { signal: controller.signal })[Symbol.asyncIterator]();
      const timer = setTimeout(
        () => controller.abort(new Error("no first event before the deadline")),
        this.options.callTimeoutMs,
      );
      try {
        const first = await iterator.next();
        if (!first.done) deliver(eventFromProto(first.value));
        return iterator;
      } finally {
        clearTimeout(timer);
      }
    });
    void (async () => {
      try {
        for (;;) {
          const next = await stream.next();
          if (next.done) return;
          deliver(eventFromProto(next.value));
        }
      } catch {
        // The stream ends when unsubscribed or when the agent goes away; callers resubscribe.
      }
    })();
    return {
      unsubscribe: async () => controller.abort(),
    };
  }
}

/** callCancelled is the error of an agent call whose caller went away. */
function callCancelled(nodeId: string, method: string): DomainError {
  return unavailable(`call to the agent of node ${nodeId} (${method}) was cancelled: its caller went away`, {
    node: nodeId,
    method,
    cancelled: true,
  });
}
