import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { network } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectRpcError } from "../rpc/rpc-test-support";

let h: RpcHarness;
let groups: ReturnType<typeof h.client<typeof network.SecurityGroupService>>;
let networkId: string;
let n = 0;
beforeAll(async () => {
  h = await startRpcHarness();
  groups = h.client(network.SecurityGroupService);
  await h.registerNode("n1", 8, 32768);
  const net = await h.services.networks.createNetwork(h.ctx, {
    projectId: h.projectId,
    name: "lan",
    spec: { type: "OVERLAY", cidr: "10.0.0.0/24" },
  });
  networkId = net.id;
});
afterAll(async () => {
  await h.close();
});

type RuleInit = {
  id?: string;
  direction?: network.RuleDirection;
  protocol?: network.RuleProtocol;
  portRange?: { from: number; to: number };
  cidr?: string;
  priority?: number;
};
const ssh = (init: RuleInit = {}) =>
  create(network.SecurityRuleSchema, {
    direction: network.RuleDirection.INGRESS,
    protocol: network.RuleProtocol.TCP,
    portRange: { from: 22, to: 22 },
    ...init,
  });
const newGroup = async (rules: network.SecurityRule[] = []) => {
  const { securityGroup } = await groups.createSecurityGroup({
    name: `sg${++n}`,
    projectId: h.projectId,
    spec: { description: "web", rules },
  });
  return securityGroup!;
};
const newVm = () =>
  h.services.vms.create(h.ctx, {
    projectId: h.projectId,
    name: `vm${++n}`,
    spec: {
      cpu: { vcpus: 1 },
      memory: { sizeMib: 512 },
      nics: [
        { name: "eth0", networkId },
        { name: "eth1", networkId },
      ],
    },
  });

describe("SecurityGroupService over Connect", () => {
  it("creates a group with rules, giving ids to rules without one, then reads, lists, updates and deletes it", async () => {
    const g = await newGroup([ssh()]);
    const [rule] = g.spec!.rules;
    expect(rule?.id).not.toBe("");
    expect(rule?.action).toBe(network.RuleAction.ALLOW);
    expect(rule?.priority).toBe(1000);
    expect(rule?.cidr).toBe("0.0.0.0/0");
    expect((await groups.getSecurityGroup({ id: g.id })).securityGroup?.spec?.rules).toHaveLength(1);
    expect(
      (await groups.listSecurityGroups({ projectId: h.projectId })).securityGroups.map((x) => x.id),
    ).toContain(g.id);

    const { securityGroup: described } = await groups.updateSecurityGroup({
      id: g.id,
      resourceVersion: g.resourceVersion,
      spec: { description: "bastion" },
      updateMask: { paths: ["spec.description"] },
    });
    expect(described?.spec?.description).toBe("bastion");
    expect(described?.spec?.rules.map((r) => r.id)).toEqual([rule!.id]);

    await groups.deleteSecurityGroup({ id: g.id, resourceVersion: described!.resourceVersion });
    await expectRpcError(groups.getSecurityGroup({ id: g.id }), Code.NotFound);
  });

  it("adds and removes rules", async () => {
    const g = await newGroup();
    const grpcGroups = h.client(network.SecurityGroupService, h.grpc);
    const { securityGroup: withRule } = await grpcGroups.addRule({
      securityGroupId: g.id,
      rule: ssh({
        id: "allow-https",
        portRange: { from: 443, to: 443 },
        cidr: "192.168.0.0/16",
        priority: 10,
      }),
    });
    expect(withRule?.spec?.rules.map((r) => [r.id, r.cidr, r.priority])).toEqual([
      ["allow-https", "192.168.0.0/16", 10],
    ]);
    await expectRpcError(
      groups.addRule({ securityGroupId: g.id, rule: ssh({ id: "allow-https" }) }),
      Code.FailedPrecondition,
    );

    const { securityGroup: empty } = await groups.removeRule({
      securityGroupId: g.id,
      ruleId: "allow-https",
    });
    expect(empty?.spec?.rules).toEqual([]);
    await expectRpcError(
      groups.removeRule({ securityGroupId: g.id, ruleId: "allow-https" }),
      Code.FailedPrecondition,
    );
    await expectRpcError(groups.addRule({ securityGroupId: "missing", rule: ssh() }), Code.NotFound);
  });

  it("refuses malformed rules with field violations under rule", async () => {
    const g = await newGroup();
    await expectRpcError(groups.addRule({ securityGroupId: g.id }), Code.InvalidArgument, "rule");
    await expectRpcError(
      groups.addRule({ securityGroupId: g.id, rule: ssh({ protocol: network.RuleProtocol.ICMP }) }),
      Code.InvalidArgument,
      "rule.port_range",
    );
    await expectRpcError(
      groups.addRule({ securityGroupId: g.id, rule: ssh({ portRange: { from: 90, to: 80 } }) }),
      Code.InvalidArgument,
      "rule.port_range.to",
    );
    await expectRpcError(
      groups.addRule({ securityGroupId: g.id, rule: ssh({ direction: 5 as network.RuleDirection }) }),
      Code.InvalidArgument,
      "rule.direction",
    );
    await expectRpcError(
      groups.addRule({ securityGroupId: g.id, rule: ssh({ direction: network.RuleDirection.UNSPECIFIED }) }),
      Code.InvalidArgument,
      "rule.direction",
    );
    await expectRpcError(
      groups.createSecurityGroup({
        name: "dupes",
        projectId: h.projectId,
        spec: { rules: [ssh({ id: "a" }), ssh({ id: "a" })] },
      }),
      Code.InvalidArgument,
      "spec.rules[1].id",
    );
  });

  it("assigns a group to a VM's NICs, refuses to delete it while assigned, and unassigns it", async () => {
    const g = await newGroup([ssh()]);
    const vm = await newVm();
    await groups.assignToVM({ securityGroupId: g.id, vmId: vm.id, nicName: "eth1" });
    let nics = (await h.services.vms.get(h.ctx, vm.id)).spec.nics;
    expect(nics.map((x) => x.securityGroupIds)).toEqual([[], [g.id]]);
    await groups.assignToVM({ securityGroupId: g.id, vmId: vm.id });
    nics = (await h.services.vms.get(h.ctx, vm.id)).spec.nics;
    expect(nics.map((x) => x.securityGroupIds)).toEqual([[g.id], [g.id]]);

    await expectRpcError(groups.deleteSecurityGroup({ id: g.id }), Code.FailedPrecondition);
    await expectRpcError(
      groups.assignToVM({ securityGroupId: g.id, vmId: vm.id, nicName: "eth9" }),
      Code.InvalidArgument,
      "nic_name",
    );
    await expectRpcError(groups.assignToVM({ securityGroupId: g.id, vmId: "missing" }), Code.NotFound);

    await groups.unassignFromVM({ securityGroupId: g.id, vmId: vm.id });
    nics = (await h.services.vms.get(h.ctx, vm.id)).spec.nics;
    expect(nics.map((x) => x.securityGroupIds)).toEqual([[], []]);
    await groups.deleteSecurityGroup({ id: g.id });
  });

  it("refuses a duplicate name with AlreadyExists and a stale resource_version with Aborted", async () => {
    const g = await newGroup();
    await expectRpcError(
      groups.createSecurityGroup({ name: g.name, projectId: h.projectId }),
      Code.AlreadyExists,
    );
    await groups.updateSecurityGroup({ id: g.id, labels: { a: "b" } });
    await expectRpcError(
      groups.updateSecurityGroup({ id: g.id, resourceVersion: 1n, labels: { a: "c" } }),
      Code.Aborted,
    );
    await expectRpcError(groups.deleteSecurityGroup({ id: g.id, resourceVersion: 1n }), Code.Aborted);
    await expectRpcError(groups.createSecurityGroup({ name: "orphan" }), Code.InvalidArgument, "project_id");
  });
});
