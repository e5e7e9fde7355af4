// Five minutes with LimiQuantix: create a network, a storage pool and a volume, then a VM
// that uses both, start it and read it back. Run a server first (`npx -y pnpm@10 start`),
// then `npx -y pnpm@10 --filter @limiquantix/example-api-client start [http://127.0.0.1:8080]`.
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, iam, network, storage } from "@limiquantix/api";

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8080";
// gRPC over cleartext HTTP/2; createConnectTransport({ baseUrl, httpVersion: "1.1" }) works on the same port.
const transport = createGrpcTransport({ baseUrl });
const projects = createClient(iam.ProjectService, transport);
const networks = createClient(network.VirtualNetworkService, transport);
const pools = createClient(storage.StoragePoolService, transport);
const volumes = createClient(storage.VolumeService, transport);
const vms = createClient(compute.VMService, transport);

const suffix = Date.now().toString(36);
const { projects: found } = await projects.listProjects({});
const project = found.find((p) => p.name === "default");
if (!project) throw new Error("no default project: is this a LimiQuantix server?");

const { virtualNetwork: net } = await networks.createVirtualNetwork({
  name: `lan-${suffix}`,
  projectId: project.id,
  spec: { type: network.NetworkType.OVERLAY, cidr: "10.20.0.0/24", gateway: "10.20.0.1" },
});
const { storagePool: pool } = await pools.createStoragePool({
  name: `pool-${suffix}`,
  spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 500n },
});
const { volume } = await volumes.createVolume({
  name: `disk-${suffix}`,
  projectId: project.id,
  spec: { poolId: pool!.id, sizeGib: 20n },
});
const { vm } = await vms.createVM({
  name: `web-${suffix}`,
  projectId: project.id,
  labels: { app: "web" },
  spec: {
    vcpus: 2,
    memoryMib: 2048n,
    disks: [{ name: "root", volumeId: volume!.id }],
    nics: [{ name: "eth0", networkId: net!.id }],
  },
});
console.log(`created vm ${vm!.name} on node ${vm!.status?.nodeId} (${compute.PowerState[vm!.status!.powerState]})`);

await vms.startVM({ id: vm!.id });
for (let i = 0; i < 60; i++) {
  const { vm: now } = await vms.getVM({ id: vm!.id });
  const state = compute.PowerState[now!.status!.powerState];
  if (state === "RUNNING") {
    console.log(`vm ${now!.name} is RUNNING with IPs ${now!.status!.ipAddresses.join(", ") || "(none yet)"}`);
    process.exit(0);
  }
  console.log(`  … ${state}`);
  await new Promise((r) => setTimeout(r, 500));
}
throw new Error("the VM did not reach RUNNING within 30 s");
