import type { ChangeLogEntry, Repositories, Resource } from "@limiquantix/domain";
import { ClusterSnapshot } from "@limiquantix/scheduler";
import type { ChangeListener } from "../events/change-relay";
import { allItems } from "../shared/each-item";

/** SnapshotContent is everything placement reads from the store. */
export type SnapshotContent = Required<
  Pick<
    ConstructorParameters<typeof ClusterSnapshot>[0] & object,
    "nodes" | "vms" | "clusters" | "storagePools" | "volumes" | "networks"
  >
>;

/** readContent reads everything placement needs from the store. */
export async function readContent(repos: Repositories): Promise<SnapshotContent> {
  const [nodes, vms, clusters, storagePools, volumes, networks] = await Promise.all([
    allItems(repos.nodes, {}),
    allItems(repos.vms, {}),
    allItems(repos.clusters, {}),
    allItems(repos.storagePools, {}),
    allItems(repos.volumes, {}),
    allItems(repos.networks, {}),
  ]);
  return { nodes, vms, clusters, storagePools, volumes, networks };
}

/** loadSnapshot reads everything placement needs from the store into a new snapshot. */
export async function loadSnapshot(
  repos: Repositories,
  defaultOvercommit: { cpu: number; memory: number },
): Promise<ClusterSnapshot> {
  return snapshotOf(await readContent(repos), defaultOvercommit);
}

/** snapshotOf builds a snapshot from content already read. */
export function snapshotOf(
  content: SnapshotContent,
  defaultOvercommit: { cpu: number; memory: number },
): ClusterSnapshot {
  return new ClusterSnapshot({ ...content, defaultOvercommit });
}

type Keeper = {
  upsert(o: Resource): void;
  remove(id: string): void;
  version(id: string): number | undefined;
  ids(): Iterable<string>;
};

/**
 * snapshotFollower keeps a snapshot current from the change log, so every replica places against
 * what every replica stored. A change older than what the snapshot holds (the snapshot was loaded
 * after it) is ignored. When the relay had to skip compacted history, the snapshot is rebuilt
 * from the store.
 */
export function snapshotFollower(
  snapshot: ClusterSnapshot,
  repos: Repositories,
  content?: SnapshotContent,
): ChangeListener {
  const tracked = (up: (o: never) => void, rm: (id: string) => void): Keeper => {
    const versions = new Map<string, number>();
    return {
      upsert: (o) => {
        versions.set(o.id, o.resourceVersion);
        up(o as never);
      },
      remove: (id) => {
        versions.delete(id);
        rm(id);
      },
      version: (id) => versions.get(id),
      ids: () => [...versions.keys()],
    };
  };
  const keepers: Partial<Record<ChangeLogEntry["kind"], Keeper>> = {
    Node: {
      upsert: (n) => snapshot.upsertNode(n as never),
      remove: (id) => snapshot.removeNode(id),
      version: (id) => snapshot.node(id)?.node.resourceVersion,
      ids: () => snapshot.nodes().map((n) => n.node.id),
    },
    VirtualMachine: {
      upsert: (v) => snapshot.upsertVm(v as never),
      remove: (id) => snapshot.removeVm(id),
      version: (id) => snapshot.vm(id)?.vm.resourceVersion,
      ids: () => [...snapshot.vms()].map((v) => v.vm.id),
    },
    Cluster: tracked(
      (c) => snapshot.upsertCluster(c),
      (id) => snapshot.removeCluster(id),
    ),
    StoragePool: tracked(
      (p) => snapshot.upsertStoragePool(p),
      (id) => snapshot.removeStoragePool(id),
    ),
    Volume: tracked(
      (v) => snapshot.upsertVolume(v),
      (id) => snapshot.removeVolume(id),
    ),
    VirtualNetwork: tracked(
      (n) => snapshot.upsertNetwork(n),
      (id) => snapshot.removeNetwork(id),
    ),
  };
  // The kinds tracked here start with the versions the snapshot was built from.
  if (content) {
    for (const [kind, items] of [
      ["Cluster", content.clusters],
      ["StoragePool", content.storagePools],
      ["Volume", content.volumes],
      ["VirtualNetwork", content.networks],
    ] as const)
      for (const o of items) keepers[kind]!.upsert(o as Resource);
  }
  const apply = (type: ChangeLogEntry["type"], keeper: Keeper, object: Resource): void => {
    const have = keeper.version(object.id);
    if (type === "DELETED") {
      if (have !== undefined && have <= object.resourceVersion) keeper.remove(object.id);
      return;
    }
    if (have !== undefined && have > object.resourceVersion) return;
    keeper.upsert(object);
  };
  return {
    change(entry) {
      const keeper = keepers[entry.kind];
      if (keeper) apply(entry.type, keeper, entry.object);
    },
    async reset() {
      const content = await readContent(repos);
      const lists: [ChangeLogEntry["kind"], readonly Resource[]][] = [
        ["Node", content.nodes],
        ["VirtualMachine", content.vms],
        ["Cluster", content.clusters],
        ["StoragePool", content.storagePools],
        ["Volume", content.volumes],
        ["VirtualNetwork", content.networks],
      ];
      for (const [kind, items] of lists) {
        const keeper = keepers[kind]!;
        const present = new Set(items.map((o) => o.id));
        for (const id of [...keeper.ids()]) if (!present.has(id)) keeper.remove(id);
        for (const o of items) keeper.upsert(o);
      }
    },
  };
}
