import {
  type SecurityGroup,
  type SecurityGroupInput,
  type SecurityRule,
  type VirtualMachine,
  SecurityRule as SecurityRuleSchema,
  failedPrecondition,
  invalidArgument,
  parseOrThrow,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { resolveProjectId } from "../shared/project-ref";
import { CrudService } from "../shared/crud-service";
import { eachItem } from "../shared/each-item";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** SecurityGroupService manages security groups, their rules, and which VM NICs they guard. */
export class SecurityGroupService extends CrudService<SecurityGroup, SecurityGroupInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "SecurityGroup", deps.repos.securityGroups);
  }

  /** newRuleId gives a rule that arrives without an id its id. */
  newRuleId(): string {
    return this.deps.ids.next();
  }

  /** createGroup stores a group in an existing project. */
  async createGroup(ctx: CallContext, given: Omit<SecurityGroupInput, "id">): Promise<SecurityGroup> {
    return this.create(ctx, {
      ...given,
      projectId: await resolveProjectId(this.deps.repos, given.projectId),
    });
  }

  /** addRule validates a rule, gives it an id when it has none, and appends it. */
  addRule(
    ctx: CallContext,
    groupId: string,
    rule: Omit<SecurityRule, "id"> & { id?: string },
    expectedVersion?: number,
  ): Promise<SecurityGroup> {
    const parsed = parseOrThrow(
      SecurityRuleSchema,
      { ...rule, id: rule.id ?? this.deps.ids.next() },
      "security rule",
    );
    return this.update(
      ctx,
      groupId,
      (g) => {
        if (g.spec.rules.some((r) => r.id === parsed.id))
          throw failedPrecondition(`rule ${parsed.id} already exists in the group`);
        return { ...g, spec: { ...g.spec, rules: [...g.spec.rules, parsed] } };
      },
      expectedVersion,
    );
  }

  /** removeRule deletes a rule by id; an unknown id is NotFound-like FailedPrecondition naming it. */
  removeRule(
    ctx: CallContext,
    groupId: string,
    ruleId: string,
    expectedVersion?: number,
  ): Promise<SecurityGroup> {
    return this.update(
      ctx,
      groupId,
      (g) => {
        if (!g.spec.rules.some((r) => r.id === ruleId))
          throw failedPrecondition(`the group has no rule ${ruleId}`);
        return { ...g, spec: { ...g.spec, rules: g.spec.rules.filter((r) => r.id !== ruleId) } };
      },
      expectedVersion,
    );
  }

  /** assign adds (or, with assigned=false, removes) a group on a VM's NICs: the named NIC, or every NIC. */
  async assign(
    _ctx: CallContext,
    groupId: string,
    vmId: string,
    options: { nic?: string; assigned?: boolean } = {},
  ): Promise<VirtualMachine> {
    const group = await this.deps.repos.securityGroups.get(groupId);
    const assigned = options.assigned ?? true;
    const vm = await readModifyWrite(this.deps.repos.vms, vmId, (v) => {
      if (v.projectId !== group.projectId)
        throw failedPrecondition(`security group "${group.name}" belongs to another project`);
      if (v.spec.nics.length === 0) throw failedPrecondition(`vm "${v.name}" has no NICs to guard`);
      if (options.nic && !v.spec.nics.some((n) => n.name === options.nic))
        throw invalidArgument([
          { field: "nic", description: `names no NIC of vm "${v.name}" (got ${options.nic})` },
        ]);
      const nics = v.spec.nics.map((n) => {
        if (options.nic && n.name !== options.nic) return n;
        const others = n.securityGroupIds.filter((id) => id !== groupId);
        return { ...n, securityGroupIds: assigned ? [...others, groupId] : others };
      });
      return { ...v, spec: { ...v.spec, nics } };
    });
    return vm;
  }

  /** deleteGroup refuses a group still assigned to a VM. */
  async deleteGroup(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const group = await this.deps.repos.securityGroups.get(id);
    for await (const vm of eachItem(this.deps.repos.vms, { projectId: group.projectId }))
      if (vm.spec.nics.some((n) => n.securityGroupIds.includes(id)))
        throw failedPrecondition(
          `security group "${group.name}" is assigned to vm "${vm.name}"; unassign it first`,
        );
    await this.delete(ctx, id, expectedVersion);
  }
}
