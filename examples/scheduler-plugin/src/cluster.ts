import { Node, VirtualMachine, type Labels, type VmSpec } from "@limiquantix/domain";

const T = "2026-01-01T00:00:00.000Z";
const meta = (id: string, labels: Labels = {}) => ({
  id,
  name: id,
  labels,
  resourceVersion: 1,
  createdAt: T,
  updatedAt: T,
});

/** NodeShape is the little a node needs here: its size, labels and whether it takes new VMs. */
export interface NodeShape {
  readonly vcpus: number;
  readonly memoryMib: number;
  readonly labels?: Labels;
  readonly cordoned?: boolean;
}

/** node builds a READY hypervisor node through the domain schema, so every default is the real one. */
export function node(id: string, shape: NodeShape): Node {
  return Node.parse({
    ...meta(id, shape.labels),
    spec: {
      hostname: id,
      managementIp: "10.0.0.1",
      cpu: { sockets: 1, coresPerSocket: shape.vcpus },
      memoryMib: shape.memoryMib,
      cordoned: shape.cordoned ?? false,
    },
    status: { phase: "READY", allocatable: { vcpus: shape.vcpus, memoryMib: shape.memoryMib } },
  });
}

/** vm builds a VM asking for vcpus and memory; `placedOn` puts it on a node already (it then holds capacity there). */
export function vm(
  id: string,
  size: { readonly vcpus: number; readonly memoryMib: number },
  extra: { readonly labels?: Labels; readonly placedOn?: string; readonly spec?: Partial<VmSpec> } = {},
): VirtualMachine {
  return VirtualMachine.parse({
    ...meta(id, extra.labels),
    projectId: "default",
    spec: { cpu: { vcpus: size.vcpus }, memory: { sizeMib: size.memoryMib }, ...extra.spec },
    status: extra.placedOn === undefined ? {} : { powerState: "RUNNING", nodeId: extra.placedOn },
  });
}
