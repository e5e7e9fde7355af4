// What the watch bench's database holds before its replicas start: one project of a few stopped
// VMs (no node, so no controller has anything to do with them), all of them watched and written.
import type { PostgresStore } from "@limiquantix/repo-postgres";

/** WATCH_PROJECT is the project every watcher follows and every written VM belongs to. */
export const WATCH_PROJECT = "watch";
const CLUSTER = "cl";

/** watchVmId names the i-th written VM. */
export const watchVmId = (i: number): string => `wvm-${String(i).padStart(4, "0")}`;

/** seedWatchedVms stores the project, a cluster and `count` stopped VMs labelled app=watch-bench. */
export async function seedWatchedVms(store: PostgresStore, count: number): Promise<void> {
  const { db } = store;
  await db.query(`INSERT INTO projects (id, name) VALUES ('${WATCH_PROJECT}', '${WATCH_PROJECT}')`);
  await db.query(
    `INSERT INTO clusters (id, name, spec) VALUES ('${CLUSTER}', '${CLUSTER}',
       '{"description":"","ha":{},"drs":{},"overcommit":{"cpu":2,"memory":1.5}}')`,
  );
  const spec = {
    description: "",
    cpu: { vcpus: 1 },
    memory: { sizeMib: 2048 },
    disks: [],
    nics: [],
    nodeSelector: [],
    tolerations: [],
    affinity: {
      vmAffinity: { required: [], preferred: [] },
      vmAntiAffinity: { required: [], preferred: [] },
      hostRules: [],
    },
    ha: { enabled: true, restartPriority: "medium" },
    desiredPowerState: "STOPPED",
  };
  await db.query(
    `INSERT INTO virtual_machines (id, name, labels, project_id, cluster_id, spec, status)
     SELECT 'wvm-' || lpad(i::text, 4, '0'), 'wvm-' || lpad(i::text, 4, '0'), '{"app":"watch-bench"}'::jsonb,
       '${WATCH_PROJECT}', '${CLUSTER}', $1::text::jsonb,
       '{"powerState":"STOPPED","ipAddresses":[],"nics":[],"conditions":[],"message":""}'::jsonb
     FROM generate_series(0, ${count - 1}) AS i`,
    [JSON.stringify(spec)],
  );
}
