import type {
  PowerState,
  VirtualMachine,
  VirtualMachineInput,
  VmRepository,
  VmStatus,
  VmTotals,
} from "@limiquantix/domain";
import { SqlParams } from "./filter-sql";
import { SqlRepository } from "./sql-repository";

/** SqlVmRepository stores virtual machines; the placement node is a generated, indexed column. */
export class SqlVmRepository
  extends SqlRepository<VirtualMachine, VirtualMachineInput, PowerState>
  implements VmRepository
{
  listByNode(nodeId: string): Promise<readonly VirtualMachine[]> {
    return this.guard(() => this.selectMany(" WHERE t.node_id = $1::text", [nodeId]));
  }

  async countByNode(nodeIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const out = new Map<string, number>(nodeIds.map((id) => [id, 0]));
    if (nodeIds.length === 0) return out;
    const params = new SqlParams();
    const list = [...new Set(nodeIds)].map((id) => params.add(id, "::text")).join(", ");
    const res = await this.guard(() =>
      this.ctx.db.query<{ node_id: string; n: number }>(
        `SELECT t.node_id, count(*)::int AS n FROM virtual_machines t WHERE t.node_id IN (${list}) GROUP BY t.node_id`,
        params.values,
      ),
    );
    for (const row of res.rows) out.set(row.node_id, Number(row.n));
    return out;
  }

  async totalsByProject(projectId: string): Promise<VmTotals> {
    // Read through the (project_id, name) unique index: one project's rows, not the table.
    const res = await this.guard(() =>
      this.ctx.db.query<{ vms: number; vcpus: number; memory_mib: number }>(
        `SELECT count(*)::int AS vms,
           coalesce(sum((t.spec #>> '{cpu,vcpus}')::bigint), 0)::float8 AS vcpus,
           coalesce(sum((t.spec #>> '{memory,sizeMib}')::bigint), 0)::float8 AS memory_mib
         FROM virtual_machines t WHERE t.project_id = $1::text`,
        [projectId],
      ),
    );
    const row = res.rows[0];
    return {
      vms: Number(row?.vms ?? 0),
      vcpus: Number(row?.vcpus ?? 0),
      memoryMib: Number(row?.memory_mib ?? 0),
    };
  }

  updateStatus(id: string, status: VmStatus, expectedVersion?: number): Promise<VirtualMachine> {
    return this.modify(id, (vm) => ({ ...vm, status }), expectedVersion);
  }
}
