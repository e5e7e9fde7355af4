import { compute, iam, storage } from "@limiquantix/api";
import type { Session } from "../session/session";
import type { Names } from "./kind";

const EMPTY: Names = {
  node: (id) => id,
  project: (id) => id,
  pool: (id) => id,
  cluster: (id) => id,
  vm: (id) => id,
};

async function table(load: () => Promise<{ id: string; name: string }[]>): Promise<Map<string, string>> {
  try {
    return new Map((await load()).map((x) => [x.id, x.name]));
  } catch {
    // A caller that may not list these (a project member and clusters, say) sees the ids.
    return new Map();
  }
}

/** loadNames fetches the id → name tables a table's columns need, one list call each. */
export async function loadNames(session: Session, wanted: readonly (keyof Names)[]): Promise<Names> {
  if (wanted.length === 0) return EMPTY;
  const want = new Set(wanted);
  const page = { pageSize: 1000 };
  const [nodes, projects, pools, clusters, vms] = await Promise.all([
    want.has("node")
      ? table(async () => (await session.client(compute.NodeService).listNodes(page)).nodes)
      : new Map<string, string>(),
    want.has("project")
      ? table(async () => (await session.client(iam.ProjectService).listProjects(page)).projects)
      : new Map<string, string>(),
    want.has("pool")
      ? table(
          async () => (await session.client(storage.StoragePoolService).listStoragePools(page)).storagePools,
        )
      : new Map<string, string>(),
    want.has("cluster")
      ? table(async () => (await session.client(compute.ClusterService).listClusters(page)).clusters)
      : new Map<string, string>(),
    want.has("vm")
      ? table(async () => (await session.client(compute.VMService).listVMs(page)).vms)
      : new Map<string, string>(),
  ]);
  const lookup = (m: Map<string, string>) => (id: string) => m.get(id) ?? id;
  return {
    node: lookup(nodes),
    project: lookup(projects),
    pool: lookup(pools),
    cluster: lookup(clusters),
    vm: lookup(vms),
  };
}
