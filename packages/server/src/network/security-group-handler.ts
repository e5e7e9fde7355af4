import type { ServiceImpl } from "@connectrpc/connect";
import { network } from "@limiquantix/api";
import type { Services } from "../composition/services";
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

/** securityGroupServiceImpl answers SecurityGroupService calls through the security group service. */
export function securityGroupServiceImpl(
  services: Services,
): ServiceImpl<typeof network.SecurityGroupService> {
  const { securityGroups: groups } = services;
  const newId = () => services.deps.ids.next();
  return {
    async createSecurityGroup(req) {
      const projectId = requireString(req.projectId, "project_id");
      const spec = securityGroupSpecFromProto(req.spec, newId);
      const created = await groups.createGroup({ name: req.name, projectId, labels: req.labels, spec });
      return { securityGroup: securityGroupToProto(created) };
    },

    async getSecurityGroup(req) {
      return { securityGroup: securityGroupToProto(await groups.get(req.id)) };
    },

    async listSecurityGroups(req) {
      const page = await groups.list(
        listFilterOf({ projectId: req.projectId }, req.labelSelector),
        pageRequestOf(req),
      );
      return { securityGroups: page.items.map(securityGroupToProto), ...pageResponseOf(page) };
    },

    async updateSecurityGroup(req) {
      const change = labelsAndSpecChange(req, {
        schema: network.SecurityGroupSpecSchema,
        toProto: securityGroupSpecToProto,
        fromProto: (spec) => securityGroupSpecFromProto(spec, newId),
      });
      return {
        securityGroup: securityGroupToProto(
          await groups.update(req.id, change, optionalVersion(req.resourceVersion)),
        ),
      };
    },

    async deleteSecurityGroup(req) {
      await groups.deleteGroup(req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async addRule(req) {
      const rule = securityRuleFromProto(requireMessage(req.rule, "rule"), "rule", newId);
      return { securityGroup: securityGroupToProto(await groups.addRule(req.securityGroupId, rule)) };
    },

    async removeRule(req) {
      return {
        securityGroup: securityGroupToProto(await groups.removeRule(req.securityGroupId, req.ruleId)),
      };
    },

    async assignToVM(req) {
      const nic = optionalString(req.nicName);
      await withWirePaths(NIC_WIRE_PATHS, () =>
        groups.assign(req.securityGroupId, req.vmId, { ...(nic ? { nic } : {}), assigned: true }),
      );
      return {};
    },

    async unassignFromVM(req) {
      const nic = optionalString(req.nicName);
      await withWirePaths(NIC_WIRE_PATHS, () =>
        groups.assign(req.securityGroupId, req.vmId, { ...(nic ? { nic } : {}), assigned: false }),
      );
      return {};
    },
  };
}
