import {
  type Alert,
  type AlertSeverity,
  type AlertState,
  type DrsRecommendation,
  type LabelSelector,
  matchesSelector,
  type Node,
  type NodePhase,
  type PowerState,
  type RecommendationState,
  type Repositories,
  type Resource,
  type ResourceKind,
  type VirtualMachine,
  type VirtualNetwork,
  type Volume,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { openStream } from "../shared/async-stream";
import { allItems } from "../shared/each-item";
import { withProjectId } from "../shared/project-ref";
import { type WatchEvent, type WatchSources, watchChanges } from "./watch";

/** VmWatchFilter says which VMs a watch follows; every field given must match. */
export interface VmWatchFilter {
  readonly id?: string;
  readonly projectId?: string;
  readonly nodeId?: string;
  readonly states?: readonly PowerState[];
  readonly labelSelector?: LabelSelector;
}

/** NodeWatchFilter says which nodes a watch follows; every field given must match. */
export interface NodeWatchFilter {
  readonly id?: string;
  readonly clusterId?: string;
  readonly phases?: readonly NodePhase[];
  readonly labelSelector?: LabelSelector;
}

/** VolumeWatchFilter says which volumes a watch follows; every field given must match. */
export interface VolumeWatchFilter {
  readonly projectId?: string;
  readonly poolId?: string;
  readonly vmId?: string;
  readonly states?: readonly Volume["status"]["phase"][];
  readonly labelSelector?: LabelSelector;
}

/** NetworkWatchFilter says which virtual networks a watch follows; every field given must match. */
export interface NetworkWatchFilter {
  readonly projectId?: string;
  readonly labelSelector?: LabelSelector;
}

/** AlertWatchFilter says which alerts a watch follows; every field given must match. */
export interface AlertWatchFilter {
  readonly projectId?: string;
  readonly clusterId?: string;
  readonly states?: readonly AlertState[];
  readonly severities?: readonly AlertSeverity[];
  readonly labelSelector?: LabelSelector;
}

/** RecommendationWatchFilter says which DRS recommendations a watch follows; every field given must match. */
export interface RecommendationWatchFilter {
  readonly clusterId?: string;
  readonly states?: readonly RecommendationState[];
  readonly labelSelector?: LabelSelector;
}

/** WatchOptions tune every watch stream this service opens. */
export interface WatchOptions {
  readonly bookmarkIntervalMs: number;
  readonly bufferSize: number;
}

/**
 * WatchService opens watch streams of resources: the matching objects (or a replay from a
 * revision), then every change, on any replica. A watch of one id that names nothing fails with
 * NotFound before it streams.
 */
export class WatchService {
  constructor(
    private readonly sources: WatchSources,
    private readonly repos: Repositories,
    private readonly options: WatchOptions,
  ) {}

  /** vms streams the changes of the VMs that match the filter. */
  vms(
    ctx: CallContext,
    given: VmWatchFilter,
    fromRevision?: number,
  ): AsyncIterableIterator<WatchEvent<VirtualMachine>> {
    return openStream(async () => {
      const filter = await withProjectId(this.repos, given);
      if (filter.id) await this.repos.vms.get(filter.id);
      const matches = (vm: VirtualMachine) =>
        (!filter.id || vm.id === filter.id) &&
        (!filter.projectId || vm.projectId === filter.projectId) &&
        (!filter.nodeId || vm.status.nodeId === filter.nodeId) &&
        (!filter.states?.length || filter.states.includes(vm.status.powerState)) &&
        (!filter.labelSelector || matchesSelector(filter.labelSelector, vm.labels));
      const list = async () =>
        filter.id
          ? [await this.repos.vms.get(filter.id)].filter(matches)
          : allItems(this.repos.vms, {
              ...(filter.projectId ? { projectId: filter.projectId } : {}),
              ...(filter.nodeId ? { nodeId: filter.nodeId } : {}),
              ...(filter.states?.length ? { states: [...filter.states] } : {}),
              ...(filter.labelSelector ? { labelSelector: filter.labelSelector } : {}),
            });
      return this.stream(ctx, "VirtualMachine", matches, list, fromRevision);
    });
  }

  /** nodes streams the changes of the nodes that match the filter. */
  nodes(
    ctx: CallContext,
    filter: NodeWatchFilter,
    fromRevision?: number,
  ): AsyncIterableIterator<WatchEvent<Node>> {
    return openStream(async () => {
      if (filter.id) await this.repos.nodes.get(filter.id);
      const matches = (node: Node) =>
        (!filter.id || node.id === filter.id) &&
        (!filter.clusterId || node.clusterId === filter.clusterId) &&
        (!filter.phases?.length || filter.phases.includes(node.status.phase)) &&
        (!filter.labelSelector || matchesSelector(filter.labelSelector, node.labels));
      const list = async () =>
        filter.id
          ? [await this.repos.nodes.get(filter.id)].filter(matches)
          : allItems(this.repos.nodes, {
              ...(filter.clusterId ? { clusterId: filter.clusterId } : {}),
              ...(filter.phases?.length ? { states: [...filter.phases] } : {}),
              ...(filter.labelSelector ? { labelSelector: filter.labelSelector } : {}),
            });
      return this.stream(ctx, "Node", matches, list, fromRevision);
    });
  }

  /** volumes streams the changes of the volumes that match the filter. */
  volumes(
    ctx: CallContext,
    given: VolumeWatchFilter,
    fromRevision?: number,
  ): AsyncIterableIterator<WatchEvent<Volume>> {
    return openStream(async () => {
      const filter = await withProjectId(this.repos, given);
      const matches = (v: Volume) =>
        (!filter.projectId || v.projectId === filter.projectId) &&
        (!filter.poolId || v.spec.poolId === filter.poolId) &&
        (!filter.vmId || v.status.attachment?.vmId === filter.vmId) &&
        (!filter.states?.length || filter.states.includes(v.status.phase)) &&
        (!filter.labelSelector || matchesSelector(filter.labelSelector, v.labels));
      const list = async () =>
        (
          await allItems(this.repos.volumes, {
            ...(filter.projectId ? { projectId: filter.projectId } : {}),
            ...(filter.poolId ? { poolId: filter.poolId } : {}),
            ...(filter.vmId ? { vmId: filter.vmId } : {}),
            ...(filter.labelSelector ? { labelSelector: filter.labelSelector } : {}),
          })
        ).filter(matches);
      return this.stream(ctx, "Volume", matches, list, fromRevision);
    });
  }

  /** networks streams the changes of the virtual networks that match the filter. */
  networks(
    ctx: CallContext,
    given: NetworkWatchFilter,
    fromRevision?: number,
  ): AsyncIterableIterator<WatchEvent<VirtualNetwork>> {
    return openStream(async () => {
      const filter = await withProjectId(this.repos, given);
      const matches = (n: VirtualNetwork) =>
        (!filter.projectId || n.projectId === filter.projectId) &&
        (!filter.labelSelector || matchesSelector(filter.labelSelector, n.labels));
      const list = () =>
        allItems(this.repos.networks, {
          ...(filter.projectId ? { projectId: filter.projectId } : {}),
          ...(filter.labelSelector ? { labelSelector: filter.labelSelector } : {}),
        });
      return this.stream(ctx, "VirtualNetwork", matches, list, fromRevision);
    });
  }

  /** alerts streams the changes of the alerts that match the filter. */
  alerts(
    ctx: CallContext,
    given: AlertWatchFilter,
    fromRevision?: number,
  ): AsyncIterableIterator<WatchEvent<Alert>> {
    return openStream(async () => {
      const filter = await withProjectId(this.repos, given);
      const matches = (a: Alert) =>
        (!filter.projectId || a.projectId === filter.projectId) &&
        (!filter.clusterId || a.clusterId === filter.clusterId) &&
        (!filter.states?.length || filter.states.includes(a.state)) &&
        (!filter.severities?.length || filter.severities.includes(a.severity)) &&
        (!filter.labelSelector || matchesSelector(filter.labelSelector, a.labels));
      const list = async () => (await allItems(this.repos.alerts, {})).filter(matches);
      return this.stream(ctx, "Alert", matches, list, fromRevision);
    });
  }

  /** recommendations streams the changes of the DRS recommendations that match the filter. */
  recommendations(
    ctx: CallContext,
    filter: RecommendationWatchFilter,
    fromRevision?: number,
  ): AsyncIterableIterator<WatchEvent<DrsRecommendation>> {
    return openStream(async () => {
      const matches = (r: DrsRecommendation) =>
        (!filter.clusterId || r.clusterId === filter.clusterId) &&
        (!filter.states?.length || filter.states.includes(r.state)) &&
        (!filter.labelSelector || matchesSelector(filter.labelSelector, r.labels));
      const list = async () => (await allItems(this.repos.drsRecommendations, {})).filter(matches);
      return this.stream(ctx, "DrsRecommendation", matches, list, fromRevision);
    });
  }

  private stream<T extends Resource>(
    ctx: CallContext,
    kind: ResourceKind,
    matches: (o: T) => boolean,
    list: () => Promise<readonly T[]>,
    fromRevision: number | undefined,
  ): AsyncIterableIterator<WatchEvent<T>> {
    return watchChanges<T>(
      this.sources,
      {
        kind,
        matches,
        list,
        bookmarkIntervalMs: this.options.bookmarkIntervalMs,
        bufferSize: this.options.bufferSize,
        ...(fromRevision !== undefined ? { fromRevision } : {}),
      },
      ctx.signal,
    );
  }
}
