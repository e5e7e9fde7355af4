import type {
  Cluster,
  EventBus,
  Node,
  Repositories,
  Resource,
  ResourceEvent,
  StoragePool,
  Subscription,
  Topic,
  TopicMap,
  VirtualMachine,
  VirtualNetwork,
  Volume,
} from "@limiquantix/domain";
import { ClusterSnapshot } from "@limiquantix/scheduler";
import { allItems } from "../shared/each-item";

/** loadSnapshot reads everything placement needs from the store into a new snapshot. */
export async function loadSnapshot(repos: Repositories, defaultOvercommit: { cpu: number; memory: number }): Promise<ClusterSnapshot> {
  const [nodes, vms, clusters, storagePools, volumes, networks] = await Promise.all([
    allItems(repos.nodes, {}),
    allItems(repos.vms, {}),
    allItems(repos.clusters, {}),
    allItems(repos.storagePools, {}),
    allItems(repos.volumes, {}),
    allItems(repos.networks, {}),
  ]);
  return new ClusterSnapshot({ nodes, vms, clusters, storagePools, volumes, networks, defaultOvercommit });
}

type Handler<T> = { upsert(o: T): void; remove(id: string): void; version(id: string): number | undefined };

/**
 * syncSnapshot keeps a snapshot current from change events, so every replica places against
 * what every other replica stored. An event older than what the snapshot holds is ignored.
 */
export async function syncSnapshot(events: EventBus, snapshot: ClusterSnapshot): Promise<Subscription[]> {
  const subs: Subscription[] = [];
  const on = async <T extends Resource>(topic: Topic, h: Handler<T>) => {
    subs.push(
      await events.subscribe(topic, (e: TopicMap[Topic]) => {
        const event = e as unknown as ResourceEvent<T>;
        const id = event.object.id;
        const have = h.version(id);
        if (event.type === "DELETED") {
          if (have !== undefined) h.remove(id);
          return;
        }
        if (have !== undefined && have > event.object.resourceVersion) return;
        h.upsert(event.object);
      }),
    );
  };
  await on<Node>("nodes", {
    upsert: (n) => snapshot.upsertNode(n),
    remove: (id) => snapshot.removeNode(id),
    version: (id) => snapshot.node(id)?.node.resourceVersion,
  });
  await on<VirtualMachine>("vms", {
    upsert: (v) => snapshot.upsertVm(v),
    remove: (id) => snapshot.removeVm(id),
    version: (id) => snapshot.vm(id)?.vm.resourceVersion,
  });
  const versions = new Map<string, number>();
  const tracked = <T extends Resource>(up: (o: T) => void, rm: (id: string) => void): Handler<T> => ({
    upsert: (o) => {
      versions.set(o.id, o.resourceVersion);
      up(o);
    },
    remove: (id) => {
      versions.delete(id);
      rm(id);
    },
    version: (id) => versions.get(id),
  });
  await on<Cluster>("clusters", tracked<Cluster>((c) => snapshot.upsertCluster(c), (id) => snapshot.removeCluster(id)));
  await on<StoragePool>("storage-pools", tracked<StoragePool>((p) => snapshot.upsertStoragePool(p), (id) => snapshot.removeStoragePool(id)));
  await on<Volume>("volumes", tracked<Volume>((v) => snapshot.upsertVolume(v), (id) => snapshot.removeVolume(id)));
  await on<VirtualNetwork>("networks", tracked<VirtualNetwork>((n) => snapshot.upsertNetwork(n), (id) => snapshot.removeNetwork(id)));
  return subs;
}
