// Seeds a store with a cluster of READY nodes and running VMs spread evenly over them, in a few
// set-based statements, for the benches that start a server over a large inventory.
import type { SqlDatabase } from "@limiquantix/repo-postgres";

/** SeedShape is how many VMs and nodes to store and how big they are. */
export interface SeedShape {
  readonly vms: number;
  readonly nodes: number;
  readonly tenants: number;
  readonly nodeVcpus: number;
  readonly nodeMemoryMib: number;
  readonly vmVcpus: number;
  readonly vmMemoryMib: number;
  readonly project: string;
  readonly cluster: string;
}

/**
 * seedVms stores `nodes` READY nodes (with a fresh heartbeat) and `vms` running VMs, VM i on node
 * i mod nodes, each node's stored allocation equal to the VMs on it.
 */
export async function seedVms(db: SqlDatabase, s: SeedShape): Promise<void> {
  await db.query(`INSERT INTO projects (id, name) VALUES ('${s.project}', '${s.project}')`);
  await db.query(
    `INSERT INTO clusters (id, name, spec) VALUES ('${s.cluster}', '${s.cluster}',
       '{"description":"","ha":{},"drs":{},"overcommit":{"cpu":2,"memory":1.5}}')`,
  );
  const perNode = s.vms / s.nodes;
  const status = {
    phase: "READY",
    allocatable: { vcpus: s.nodeVcpus, memoryMib: s.nodeMemoryMib },
    allocated: { vcpus: perNode * s.vmVcpus, memoryMib: perNode * s.vmMemoryMib, vmCount: perNode },
    conditions: [],
    lastHeartbeatAt: new Date().toISOString(),
    message: "",
  };
  await db.query(
    `INSERT INTO nodes (id, name, cluster_id, spec, status)
     SELECT 'node-' || lpad(i::text, 4, '0'), 'node-' || lpad(i::text, 4, '0'), '${s.cluster}',
       jsonb_build_object('hostname', 'node-' || i || '.lab', 'managementIp', '10.0.' || (i / 256) || '.' || (i % 256),
         'roles', '["compute"]'::jsonb, 'taints', '[]'::jsonb,
         'cpu', '{"sockets":2,"coresPerSocket":16,"threadsPerCore":2}'::jsonb,
         'memoryMib', ${s.nodeMemoryMib}, 'reserved', '{"vcpus":0,"memoryMib":0}'::jsonb, 'cordoned', false),
       $1::text::jsonb
     FROM generate_series(0, ${s.nodes - 1}) AS i`,
    [JSON.stringify(status)],
  );
  const spec = {
    description: "",
    cpu: { vcpus: s.vmVcpus },
    memory: { sizeMib: s.vmMemoryMib },
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
    desiredPowerState: "RUNNING",
    stopMode: "graceful",
  };
  for (let from = 0; from < s.vms; from += 20_000) {
    await db.query(
      `INSERT INTO virtual_machines (id, name, labels, project_id, cluster_id, spec, status)
       SELECT 'vm-' || lpad(i::text, 6, '0'), 'vm-' || lpad(i::text, 6, '0'),
         jsonb_build_object('tenant', 't-' || (i % ${s.tenants}), 'env', CASE WHEN i % 2 = 0 THEN 'prod' ELSE 'dev' END),
         '${s.project}', '${s.cluster}', $1::text::jsonb,
         jsonb_build_object('powerState', 'RUNNING', 'nodeId', 'node-' || lpad((i % ${s.nodes})::text, 4, '0'),
           'ipAddresses', '[]'::jsonb, 'nics', '[]'::jsonb, 'conditions', '[]'::jsonb, 'message', '')
       FROM generate_series(${from}, ${Math.min(from + 20_000, s.vms) - 1}) AS i`,
      [JSON.stringify(spec)],
    );
  }
  await db.query("ANALYZE");
}
