import {
  type Node,
  type NodeStatus,
  type PowerState,
  prepareCreate,
  type VirtualMachine,
  type VirtualMachineInput,
  type VmRepository,
  type VmStatus,
  type VmTotals,
} from "@limiquantix/domain";
import { attributionSource } from "./call-attribution";
import { SqlParams } from "./filter-sql";
import { SqlNodeRepository } from "./node-repository";
import { SqlRepository } from "./sql-repository";
import { TABLES } from "./table-map";

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

  /**
   * createOnNode writes the node and inserts the VM in one statement: the insert selects from the
   * node's update, so a node no longer at its version inserts nothing, and a taken id or name
   * (nothing inserted) fails the transaction the node was written in.
   */
  async createOnNode(
    input: VirtualMachineInput,
    node: Node,
    nodeStatus: NodeStatus,
  ): Promise<{ readonly vm: VirtualMachine; readonly node: Node }> {
    const nodes = new SqlNodeRepository(TABLES.Node, this.ctx);
    const vm = prepareCreate(this.descriptor, input, this.now());
    const charged = nodes.prepareReplace(node, { ...node, status: nodeStatus });
    const params = new SqlParams();
    const update = nodes.updateSql(params, charged, node.resourceVersion, attributionSource);
    const insert = this.insertSql(params, vm, () => "charged");
    const statement =
      `WITH charged AS (${update}), created AS (${insert}) ` +
      "SELECT (SELECT resource_version FROM charged) AS node_version, (SELECT resource_version FROM created) AS vm_version";
    // A taken id or name is told after the transaction the node was written in has ended
    // (PGlite's single session answers no statement from outside it meanwhile).
    let taken = false;
    const stored = await this.guardWrite(vm, () =>
      this.ctx.atomic(async (db) => {
        nodes.forgetHeld(node.id);
        const res = await db.query<{
          node_version: string | number | null;
          vm_version: string | number | null;
        }>(statement, params.values);
        const row = res.rows[0];
        if (row?.node_version == null) throw await nodes.missedWrite(node.id, node.resourceVersion, db);
        if (row.vm_version == null) {
          // The node was written: failing ends its transaction, and the write with it.
          taken = true;
          throw new Error("vm id or name taken");
        }
        const written = {
          vm: { ...vm, resourceVersion: Number(row.vm_version) },
          node: { ...charged, resourceVersion: Number(row.node_version) },
        };
        await nodes.wrote(db, written.node);
        await this.wrote(db, written.vm);
        return written;
      }),
    ).catch(async (e: unknown) => {
      throw taken ? await this.duplicateOf(vm) : e;
    });
    this.ctx.committedChange?.();
    return stored;
  }
}
