import { network } from "@limiquantix/api";
import { type RpcRoute, route } from "../rpc/route";
import type { SecurityGroupService } from "./security-group-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import {
  securityGroupSpecFromProto,
  securityGroupSpecToProto,
  securityGroupToProto,
} from "./convert/security-group";
import { securityRuleFromProto } from "./convert/security-rule";
import {
  type PathRename,
  listFilterOf,
  requireMessage,
  requireString,
  withWirePaths,
} from "../rpc/convert/request-fields";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";

/** NIC_WIRE_PATHS name the request's nic_name where the service speaks of the NIC. */
const NIC_WIRE_PATHS: readonly PathRename[] = [["nic", "nic_name"]];

/** securityGroupHandler answers SecurityGroupService calls through the security group service. */
export function securityGroupHandler(groups: SecurityGroupService): RpcRoute {
  const newId = () => groups.newRuleId();
  return route(network.SecurityGroupService, {
    async createSecurityGroup(ctx, req) {
      const projectId = requireString(req.projectId, "project_id");
      const spec = securityGroupSpecFromProto(req.spec, newId);
      const created = await groups.createGroup(ctx, { name: req.name, projectId, labels: req.labels, spec });
      return { securityGroup: securityGroupToProto(created) };
    },

    async getSecurityGroup(ctx, req) {
      return { securityGroup: securityGroupToProto(await groups.get(ctx, req.id)) };
    },

    async listSecurityGroups(ctx, req) {
      const page = await groups.list(
        ctx,
        listFilterOf({ projectId: req.projectId }, req.labelSelector),
        pageRequestOf(req),
      );
      return { securityGroups: page.items.map(securityGroupToProto), ...pageResponseOf(page) };
    },

    async updateSecurityGroup(ctx, req) {
      const change = labelsAndSpecChange(req, {
        schema: network.SecurityGroupSpecSchema,
        toProto: securityGroupSpecToProto,
        fromProto: (spec) => securityGroupSpecFromProto(spec, newId),
      });
      return {
        securityGroup: securityGroupToProto(
          await groups.update(ctx, req.id, change, optionalVersion(req.resourceVersion)),
        ),
      };
    },

    async deleteSecurityGroup(ctx, req) {
      await groups.deleteGroup(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async addRule(ctx, req) {
      const rule = securityRuleFromProto(requireMessage(req.rule, "rule"), "rule", newId);
      return { securityGroup: securityGroupToProto(await groups.addRule(ctx, req.securityGroupId, rule)) };
    },

    async removeRule(ctx, req) {
      return {
        securityGroup: securityGroupToProto(await groups.removeRule(ctx, req.securityGroupId, req.ruleId)),
      };
    },

    async assignToVM(ctx, req) {
      const nic = optionalString(req.nicName);
      await withWirePaths(NIC_WIRE_PATHS, () =>
        groups.assign(ctx, req.securityGroupId, req.vmId, { ...(nic ? { nic } : {}), assigned: true }),
      );
      return {};
    },

    async unassignFromVM(ctx, req) {
      const nic = optionalString(req.nicName);
      await withWirePaths(NIC_WIRE_PATHS, () =>
        groups.assign(ctx, req.securityGroupId, req.vmId, { ...(nic ? { nic } : {}), assigned: false }),
      );
      return {};
    },
  });
}
